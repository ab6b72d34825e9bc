import type { ReactNode } from "react";
import { PageHeading } from "./PageHeading";

/** The frame of the signed-out pages (sign in, register, password reset). */
export function AuthPage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="auth-page" id="main">
      <PageHeading>{title}</PageHeading>
      {children}
    </main>
  );
}
