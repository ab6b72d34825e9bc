import { passwordChecks } from "../auth/passwordRule";

/** The password rule as a checklist that follows the typing. */
export function PasswordRule({ password, email = "" }: { password: string; email?: string }) {
  const checks = passwordChecks(password, email);
  return (
    <ul className="password-rule" aria-label="Password rule">
      {checks.map((check) => (
        <li key={check.id} className={check.met ? "met" : "unmet"} data-check={check.id}>
          <span aria-hidden="true">{check.met ? "✓" : "•"}</span> {check.label}
          <span className="visually-hidden">{check.met ? " (met)" : " (not met yet)"}</span>
        </li>
      ))}
    </ul>
  );
}
