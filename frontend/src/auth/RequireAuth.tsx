import { Navigate, Outlet, useLocation } from "react-router";
import { useAuth } from "./AuthProvider";

/** The signed-in part of the app: elsewhere, send the user to sign in and back here after. */
export function RequireAuth() {
  const { status } = useAuth();
  const location = useLocation();
  if (status === "restoring") {
    return (
      <p className="page-status" role="status">
        Restoring your session…
      </p>
    );
  }
  if (status === "signed-out") {
    return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  }
  return <Outlet />;
}
