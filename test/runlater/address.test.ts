/**
 * The shared address-classification rule (issue 11 §1 "Private addresses missed"), checked
 * against the production rule (`app/url_validator.ex`) and the cases the old check missed.
 */
import fc from "fast-check";
import { fcSeed } from "../support/fc";
import { classifyHost, isPrivateHost, validateCronTaskSpec } from "../../lib/runlater";

const hostOf = (url: string) => new URL(url).hostname;

describe("isPrivateHost", () => {
  it.each([
    // Missed before (issue 11 §1)
    ["http://[::ffff:127.0.0.1]/", "loopback"],
    ["http://224.0.0.1/", "multicast"],
    ["http://metadata.google.internal/", "internal-name"],
    ["http://printer.local/", "internal-name"],
    ["http://localhost./", "internal-name"],
    // Production's list
    ["http://localhost/", "internal-name"],
    ["http://app.localhost/", "internal-name"],
    ["http://127.0.0.1/", "loopback"],
    ["http://127.255.0.9/", "loopback"],
    ["http://10.1.2.3/", "private"],
    ["http://172.16.0.1/", "private"],
    ["http://172.31.255.255/", "private"],
    ["http://192.168.1.1/", "private"],
    ["http://169.254.169.254/latest/meta-data/", "link-local"],
    ["http://0.0.0.0/", "unspecified"],
    ["http://240.0.0.1/", "reserved"],
    ["http://255.255.255.255/", "reserved"],
    ["http://[::1]/", "loopback"],
    ["http://[::]/", "unspecified"],
    ["http://[fc00::1]/", "unique-local"],
    ["http://[fd12:3456::1]/", "unique-local"],
    ["http://[fe80::1]/", "link-local"],
    ["http://[::ffff:10.0.0.1]/", "private"],
    ["http://[::ffff:a9fe:a9fe]/", "link-local"],
    // Stricter than production where no public target is lost
    ["http://100.64.0.1/", "shared"],
    ["http://239.255.255.250/", "multicast"],
    ["http://[ff02::1]/", "multicast"],
    ["http://[64:ff9b::7f00:1]/", "loopback"],
    ["http://[::127.0.0.1]/", "loopback"],
    // Numeric IPv4 spellings the URL parser normalises
    ["http://2130706433/", "loopback"],
    ["http://0x7f.1/", "loopback"],
    ["http://012.0.0.1/", "private"],
    ["http://LOCALHOST/", "internal-name"],
  ])("%s is %s", (url, cls) => {
    expect(classifyHost(hostOf(url))).toBe(cls);
    expect(isPrivateHost(hostOf(url))).toBe(true);
  });

  it.each([
    "https://example.com/health",
    "https://203.0.113.10/health",
    "https://198.51.100.7/",
    "https://8.8.8.8/",
    "https://172.32.0.1/",
    "https://172.15.255.255/",
    "https://100.128.0.1/",
    "https://[2001:db8::1]/",
    "https://[2606:4700::1111]/",
    "https://localhost.example.com/",
    "https://internal.example.com/",
    "https://my-local-site.com/",
    "https://runlater.eu/in/ep_x",
  ])("%s is public", (url) => {
    expect(classifyHost(hostOf(url))).toBe("public");
  });

  it("raw (unparsed) hosts are classified too: brackets, trailing dots, case", () => {
    expect(isPrivateHost("[::FFFF:127.0.0.1]")).toBe(true);
    expect(isPrivateHost("LocalHost..")).toBe(true);
    expect(isPrivateHost("db.INTERNAL")).toBe(true);
    expect(isPrivateHost("0x7f000001")).toBe(true);
  });

  it("the early URL check refuses them with the field name (plan, engines and client share it)", () => {
    for (const url of ["http://[::ffff:127.0.0.1]/h", "http://224.0.0.1/h", "http://x.internal/h", "http://x.local/h", "http://localhost./h"]) {
      const issues = validateCronTaskSpec({ url, cron: "* * * * *" });
      expect(issues.map((i) => i.field)).toEqual(["url"]);
      expect(issues[0].message).toContain("private");
    }
  });

  it("never throws and answers in bounded time for any string (fixed seed)", () => {
    const seed = fcSeed();
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary", maxLength: 300 }), fc.ipV4(), fc.ipV6(), fc.domain()), (h) => {
        const started = Date.now();
        const cls = classifyHost(h);
        expect(typeof cls).toBe("string");
        expect(Date.now() - started).toBeLessThan(1000);
      }),
      { seed, numRuns: 500 },
    );
    expect(classifyHost(undefined as never)).toBe("public");
    expect(classifyHost("a".repeat(1_000_000))).toBe("public");
  });

  it("every IPv4-mapped form of a private IPv4 address is private (fixed seed)", () => {
    const seed = fcSeed();
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        const [a, b, c, d] = v4.split(".").map(Number);
        const hex = `::ffff:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
        expect(isPrivateHost(`[::ffff:${v4}]`)).toBe(isPrivateHost(v4));
        expect(isPrivateHost(hex)).toBe(isPrivateHost(v4));
      }),
      { seed, numRuns: 500 },
    );
  });
});
