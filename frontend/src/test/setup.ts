import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

// An area's first render loads its lazy chunk and the chart module: on a busy 2-core machine that
// can take longer than Testing Library's default second.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
  sessionStorage.clear();
});
