import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Markdown } from "./Markdown";

describe("Markdown", () => {
  it("renders headings, lists, tables and inline marks", () => {
    const { container } = render(
      <Markdown
        text={"## Sales\nRevenue was **$1,234** (`+5%`), see [the docs](https://example.com).\n\n- one\n- *two*\n\n1. first\n2. second\n\n| Region | Revenue |\n|---|---:|\n| Nordics | 12 |"}
      />,
    );
    expect(container.querySelector("h3")!.textContent).toBe("Sales");
    expect(container.querySelector("strong")!.textContent).toBe("$1,234");
    expect(container.querySelector("code")!.textContent).toBe("+5%");
    expect(container.querySelector("a")!.getAttribute("href")).toBe("https://example.com");
    expect([...container.querySelectorAll("ul li")].map((li) => li.innerHTML)).toEqual(["one", "<em>two</em>"]);
    expect(container.querySelectorAll("ol li")).toHaveLength(2);
    expect(container.querySelector("tbody tr")!.textContent).toBe("Nordics12");
  });

  it("never turns an answer into HTML, and drops links that are not http(s)", () => {
    const { container } = render(<Markdown text={'<img src=x onerror="alert(1)"> <script>alert(2)</script> [x](javascript:void0)'} />);
    expect(container.querySelector("img, script, a")).toBeNull();
    expect(container.textContent).toBe('<img src=x onerror="alert(1)"> <script>alert(2)</script> x');
  });
});
