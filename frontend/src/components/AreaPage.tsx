import type { ReactNode } from "react";
import { AREAS } from "../shell/areas";
import { PageHeading } from "./PageHeading";

/** An area's frame: its title and summary (from shell/areas.ts), then its sections. */
export function AreaPage({ area, children }: { area: string; children: ReactNode }) {
  const { title, summary } = AREAS.find((a) => a.path === area) ?? { title: area, summary: "" };
  return (
    <>
      <PageHeading>{title}</PageHeading>
      <p className="area-summary">{summary}</p>
      <div className="area-sections">{children}</div>
    </>
  );
}
