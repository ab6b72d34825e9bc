import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { BarChart, dateToX, Heatmap, LineChart } from ".";

describe("charts", () => {
  it("draws a line per series, the band as one area, marks with their words, and names the image", () => {
    const { getByRole } = render(
      <LineChart
        label="Revenue and its forecast"
        series={[
          { name: "History", points: [{ x: dateToX("2026-06-01"), y: 10 }, { x: dateToX("2026-06-02"), y: 20 }] },
          { name: "Forecast", points: [{ x: dateToX("2026-06-03"), y: 15 }, { x: dateToX("2026-06-04"), y: 16 }], dashed: true },
        ]}
        band={{ name: "95% interval", points: [{ x: dateToX("2026-06-03"), lower: 12, upper: 18 }, { x: dateToX("2026-06-04"), lower: 11, upper: 21 }] }}
        marks={[{ x: dateToX("2026-06-02"), y: 20, label: "Spike", kind: "up" }]}
        formatY={(v) => `${v} u`}
      />,
    );
    const svg = getByRole("img", { name: "Revenue and its forecast" });
    const lines = svg.querySelectorAll("path.chart-series");
    expect(lines).toHaveLength(2);
    expect(lines[1]!.getAttribute("class")).toContain("chart-dashed");
    expect(svg.querySelector("path.chart-band")!.getAttribute("d")).toMatch(/^M[\d.,]+L[\d.,]+L[\d.,]+L[\d.,]+Z$/);
    expect(svg.querySelector("circle.chart-mark-up")!.getAttribute("aria-label")).toBe("Spike: Jun 2, 2026, 20 u");
    // the band's top (21) is inside the drawing: the y scale covers the band too
    const ys = [...svg.querySelectorAll('.chart-grid text[text-anchor="end"]')].map((t) => t.textContent);
    expect(ys.at(-1)).toBe("22 u");
  });

  it("draws a one-point series as a dot, and says when there is nothing to draw", () => {
    const { container, rerender } = render(<LineChart label="One month" series={[{ name: "Revenue", points: [{ x: dateToX("2026-06-01"), y: 5 }] }]} />);
    expect(container.querySelectorAll("circle.chart-dot")).toHaveLength(1);
    rerender(<LineChart label="Nothing" series={[{ name: "Revenue", points: [] }]} />);
    expect(container.textContent).toBe("No data to draw.");
  });

  it("grows negative bars left of the zero line, and puts the zero line first when all are zero", () => {
    const { container, rerender } = render(<BarChart label="Growth" bars={[{ label: "A", value: 10 }, { label: "B", value: -5 }]} />);
    const [a, b] = [...container.querySelectorAll("rect")];
    const zero = Number(container.querySelector("line.chart-zero")!.getAttribute("x1"));
    expect(a!.getAttribute("class")).toBe("chart-bar-positive");
    expect(Number(a!.getAttribute("x"))).toBeCloseTo(zero);
    expect(b!.getAttribute("class")).toBe("chart-bar-negative");
    expect(Number(b!.getAttribute("x")) + Number(b!.getAttribute("width"))).toBeCloseTo(zero);
    rerender(<BarChart label="Zeros" bars={[{ label: "A", value: 0 }]} width={440} />);
    expect(container.querySelector("line.chart-zero")!.getAttribute("x1")).toBe("170"); // the labels' edge
    expect(container.querySelector("svg")!.getAttribute("viewBox")).toBe("0 0 440 34");
  });

  it("shades heatmap cells by value and leaves out missing ones", () => {
    const { container } = render(
      <Heatmap
        label="Retention"
        columns={["M0", "M1"]}
        rows={[
          { label: "2026-04", values: [1, 0.5] },
          { label: "2026-05", values: [1, null] },
        ]}
        formatValue={(v) => `${v * 100}%`}
        max={1}
      />,
    );
    const cells = [...container.querySelectorAll("rect.heat-cell")];
    expect(cells.map((c) => c.getAttribute("fill-opacity"))).toEqual(["1", "0.5", "1"]);
    expect(cells[1]!.querySelector("title")!.textContent).toBe("2026-04, M1: 50%");
  });
});
