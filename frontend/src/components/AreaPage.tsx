import type { ReactNode } from "react";
import { AREAS } from "../shell/areas";
import { AREA_SUMMARIES } from "../shell/areaSummaries";
import { PageHeading } from "./PageHeading";

/** An area's frame: its title and summary (from shell/areas.ts), then its sections. */
export function AreaPage({ area, children }: { area: string; children: ReactNode }) {
  const title = AREAS.find((a) => a.path === area)?.title ?? area;
  const summary = AREA_SUMMARIES[area] ?? "";
  return (
    <>
      <PageHeading>{title}</PageHeading>
      <p className="area-summary">{summary}</p>
      <div className="area-sections">{children}</div>
    </>
  );
}
