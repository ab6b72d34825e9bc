import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, withContentSecurityPolicy } from "./csp";

const AWS_API = "https://abc123.execute-api.us-east-2.amazonaws.com/prod";

function directives(policy: string): Record<string, string> {
  return Object.fromEntries(
    policy.split(";").map((d) => {
      const [name, ...sources] = d.trim().split(/\s+/);
      return [name, sources.join(" ")];
    }),
  );
}

describe("the build's Content-Security-Policy", () => {
  it("lets a production build call only its own API origin", () => {
    const policy = directives(contentSecurityPolicy(AWS_API));
    expect(policy["connect-src"]).toBe("'self' https://abc123.execute-api.us-east-2.amazonaws.com");
    expect(JSON.stringify(policy)).not.toMatch(/127\.0\.0\.1|localhost|\*/);
  });

  it("names the local API exactly in a build made for it, no loopback wildcard", () => {
    const policy = directives(contentSecurityPolicy("http://127.0.0.1:8080/dev"));
    expect(policy["connect-src"]).toBe("'self' http://127.0.0.1:8080");
  });

  it("allows only the site itself without an API URL", () => {
    expect(directives(contentSecurityPolicy(""))["connect-src"]).toBe("'self'");
  });

  it("keeps scripts, styles and everything else to the site", () => {
    const policy = directives(contentSecurityPolicy(AWS_API));
    expect(policy).toMatchObject({
      "default-src": "'self'",
      "script-src": "'self'",
      "style-src": "'self'",
      "object-src": "'none'",
      "base-uri": "'self'",
      "form-action": "'self'",
    });
  });

  it("refuses an API URL that is not http(s)", () => {
    expect(() => contentSecurityPolicy("javascript:alert(1)")).toThrow(/not an http\(s\) URL/);
    expect(() => contentSecurityPolicy("abc.example.com")).toThrow(/not an http\(s\) URL/);
  });

  it("goes into index.html right after <meta charset>", () => {
    const html = '<head>\n    <meta charset="UTF-8" />\n    <script type="module" src="/x.js"></script>';
    const out = withContentSecurityPolicy(html, AWS_API);
    const meta = `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(AWS_API)}" />`;
    expect(out).toBe(html.replace('<meta charset="UTF-8" />', `<meta charset="UTF-8" />\n    ${meta}`));
    expect(() => withContentSecurityPolicy("<head></head>", AWS_API)).toThrow(/charset/);
  });
});
