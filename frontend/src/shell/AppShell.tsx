import { useMutation } from "@tanstack/react-query";
import { Suspense } from "react";
import { NavLink, Outlet } from "react-router";
import { useAuth, useCurrentUser } from "../auth/AuthProvider";
import { AREAS } from "./areas";

/** The signed-in frame: the navigation to the services' areas, who is signed in, sign out. */
export function AppShell() {
  const auth = useAuth();
  const me = useCurrentUser();
  const signOut = useMutation({ mutationFn: () => auth.signOut() });

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="shell-header">
        <NavLink to="/" className="brand" end>
          eCommerce AI Platform
        </NavLink>
        <div className="shell-user">
          {me.data && (
            <span>
              Signed in as <NavLink to="/profile">{me.data.name || me.data.email}</NavLink>
            </span>
          )}
          <button
            type="button"
            className="button-secondary"
            onClick={() => signOut.mutate()}
            disabled={signOut.isPending}
          >
            {signOut.isPending ? "Signing out…" : "Sign out"}
          </button>
        </div>
      </header>
      <nav className="shell-nav" aria-label="Main">
        <ul>
          <li>
            <NavLink to="/" end>
              Overview
            </NavLink>
          </li>
          {AREAS.map((area) => (
            <li key={area.path}>
              <NavLink to={area.path}>{area.title}</NavLink>
            </li>
          ))}
          <li>
            <NavLink to="/profile">Profile</NavLink>
          </li>
        </ul>
      </nav>
      <main className="shell-main" id="main" tabIndex={-1}>
        <Suspense
          fallback={
            <p className="page-status" role="status">
              Loading…
            </p>
          }
        >
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
