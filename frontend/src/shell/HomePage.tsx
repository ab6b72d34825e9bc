import { Link } from "react-router";
import { useCurrentUser } from "../auth/AuthProvider";
import { PageHeading } from "../components/PageHeading";
import { AREAS } from "./areas";
import { AREA_SUMMARIES } from "./areaSummaries";

export function HomePage() {
  const me = useCurrentUser();
  return (
    <>
      <PageHeading>Overview</PageHeading>
      <p>{me.data ? `Welcome, ${me.data.name}.` : "Welcome."} Choose an area to open.</p>
      <ul className="area-list">
        {AREAS.map((area) => (
          <li key={area.path}>
            <Link to={area.path}>{area.title}</Link>
            <p>{AREA_SUMMARIES[area.path]}</p>
          </li>
        ))}
      </ul>
    </>
  );
}
