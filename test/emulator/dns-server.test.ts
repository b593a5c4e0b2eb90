/**
 * The emulator's DNS server: node:dns (c-ares) and, where installed, `dig` resolve through it;
 * answers follow the provider stores (a change through a provider API is answered at once) with
 * each record's TTL; NXDOMAIN / NODATA / REFUSED / truncation / malformed input behave as a real
 * authoritative server.
 */
import { execFile } from "node:child_process";
import * as dgram from "node:dgram";
import { Resolver } from "node:dns/promises";
import * as net from "node:net";
import { promisify } from "node:util";
import * as packet from "dns-packet";
import { answerQuestion, handleDnsMessage, type ServedZone, servedZones } from "../../lib/emulator/dns-server";
import { type Emulator, startEmulator } from "../../lib/emulator";

const run = promisify(execFile);
let emu: Emulator;
let resolver: Resolver;
let cfZone: string;
let cfRecord: string;

beforeAll(async () => {
  emu = await startEmulator();
  const cf = emu.dns("cloudflare");
  cfZone = cf.addZone({ name: "example.com" });
  cfRecord = cf.addRecord(cfZone, { name: "www", type: "A", content: "198.51.100.10", ttl: 60 });
  cf.addRecord(cfZone, { name: "www", type: "AAAA", content: "2001:db8::10", ttl: 120 });
  cf.addRecord(cfZone, { name: "auto", type: "A", content: "198.51.100.11" }); // ttl 1 = automatic
  cf.addRecord(cfZone, { name: "alias", type: "CNAME", content: "www.example.com" });
  cf.addRecord(cfZone, { name: "txt", type: "TXT", content: "hello world", ttl: 90 });
  for (let i = 0; i < 12; i++) cf.addRecord(cfZone, { name: "big", type: "TXT", content: `${"x".repeat(60)}${i}`, ttl: 60 });
  cf.addRecord(cfZone, { name: "a.b.deep", type: "A", content: "198.51.100.12", ttl: 60 });
  const dOcean = emu.dns("digitalocean");
  dOcean.addDomain("example.org");
  dOcean.addRecord("example.org", { name: "www", data: "198.51.100.20", ttl: 45 });
  const hz = emu.dns("hetzner");
  hz.addZone({ name: "example.net", ttl: 3600 });
  hz.addRRSet("example.net", { name: "www", type: "A", records: ["198.51.100.30"] }); // ttl null → zone's
  hz.addRRSet("example.net", { name: "cdn", type: "CNAME", ttl: 300, records: ["www"] }); // relative in zone-file form
  hz.addRRSet("example.net", { name: "@", type: "TXT", ttl: 300, records: ['"v=spf1" " -all"'] });
  const pb = emu.dns("porkbun");
  pb.addDomain("example.dev");
  pb.addRecord("example.dev", { name: "*", type: "A", content: "198.51.100.40", ttl: 600 });
  resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${emu.dnsPort}`]);
});
afterAll(async () => {
  await emu.close();
});

describe("node:dns through the emulator's DNS server", () => {
  test("A/AAAA with each record's TTL; Cloudflare automatic TTL is 300 s", async () => {
    expect(emu.dnsPort).toBeGreaterThan(0);
    expect(await resolver.resolve4("www.example.com", { ttl: true })).toEqual([{ address: "198.51.100.10", ttl: 60 }]);
    expect(await resolver.resolve6("www.example.com", { ttl: true })).toEqual([{ address: "2001:db8::10", ttl: 120 }]);
    expect(await resolver.resolve4("auto.example.com", { ttl: true })).toEqual([{ address: "198.51.100.11", ttl: 300 }]);
    expect(await resolver.resolve4("www.example.org", { ttl: true })).toEqual([{ address: "198.51.100.20", ttl: 45 }]);
    expect(await resolver.resolve4("www.example.net", { ttl: true })).toEqual([{ address: "198.51.100.30", ttl: 3600 }]);
  });

  test("CNAME answers and chains; TXT; Hetzner zone-file values; Porkbun wildcard", async () => {
    expect(await resolver.resolveCname("alias.example.com")).toEqual(["www.example.com"]);
    expect(await resolver.resolve4("alias.example.com")).toEqual(["198.51.100.10"]);
    expect(await resolver.resolve4("cdn.example.net")).toEqual(["198.51.100.30"]);
    expect(await resolver.resolveTxt("txt.example.com")).toEqual([["hello world"]]);
    expect((await resolver.resolveTxt("example.net")).map((t) => t.join(""))).toEqual(["v=spf1 -all"]);
    expect(await resolver.resolve4("anything.example.dev")).toEqual(["198.51.100.40"]);
  });

  test("NXDOMAIN, NODATA (incl. an empty non-terminal) and REFUSED outside the zones", async () => {
    await expect(resolver.resolve4("nope.example.com")).rejects.toMatchObject({ code: "ENOTFOUND" });
    await expect(resolver.resolve4("txt.example.com")).rejects.toMatchObject({ code: "ENODATA" });
    await expect(resolver.resolve4("deep.example.com")).rejects.toMatchObject({ code: "ENODATA" });
    await expect(resolver.resolve4("www.not-served.test")).rejects.toMatchObject({ code: "EREFUSED" });
  });

  test("a change through the provider API is answered at once", async () => {
    const res = await fetch(`${emu.cloudflareApiUrl}/zones/${cfZone}/dns_records/${cfRecord}`, {
      method: "PATCH",
      headers: { authorization: "Bearer cf-test-token", "content-type": "application/json" },
      body: JSON.stringify({ content: "203.0.113.50" }),
    });
    expect(res.status).toBe(200);
    expect(await resolver.resolve4("www.example.com", { ttl: true })).toEqual([{ address: "203.0.113.50", ttl: 60 }]);
    emu.dns("cloudflare").addRecord(cfZone, { name: "late", type: "A", content: "198.51.100.99", ttl: 60 });
    expect(await resolver.resolve4("late.example.com")).toEqual(["198.51.100.99"]);
  });

  test("a large answer is truncated over UDP and complete over TCP (c-ares retries on TCP)", async () => {
    const query = packet.encode({ type: "query", id: 7, flags: packet.RECURSION_DESIRED, questions: [{ type: "TXT", name: "big.example.com" }] });
    const udp = await udpExchange(query);
    expect(udp.flag_tc).toBe(true);
    expect(udp.answers).toHaveLength(0);
    const tcp = await tcpExchange(query);
    expect(tcp.flag_tc).toBe(false);
    expect(tcp.flag_aa).toBe(true);
    expect(tcp.answers).toHaveLength(12);
    expect(await resolver.resolveTxt("big.example.com")).toHaveLength(12);
  });
});

describe("message handling", () => {
  const zones: ServedZone[] = [
    {
      name: "example.com",
      provider: "test",
      records: [
        { name: "www.example.com", type: "A", ttl: 60, data: "198.51.100.10" },
        { name: "a.example.com", type: "CNAME", ttl: 30, data: "b.example.com" },
        { name: "b.example.com", type: "CNAME", ttl: 30, data: "www.example.com" },
        { name: "out.example.com", type: "CNAME", ttl: 30, data: "elsewhere.test" },
        { name: "*.wild.example.com", type: "A", ttl: 10, data: "198.51.100.1" },
        { name: "x.wild.example.com", type: "TXT", ttl: 10, data: "x" },
      ],
    },
  ];

  test("CNAME chains are followed inside the zones, not outside", () => {
    expect(answerQuestion(zones, "A.Example.com.", "A").answers.map((r) => r.data)).toEqual(["b.example.com", "www.example.com", "198.51.100.10"]);
    const out = answerQuestion(zones, "out.example.com", "A");
    expect(out).toMatchObject({ rcode: "NOERROR", answers: [{ type: "CNAME", data: "elsewhere.test" }] });
    expect(answerQuestion(zones, "a.example.com", "CNAME").answers).toHaveLength(1);
  });

  test("wildcards answer only names that do not exist", () => {
    expect(answerQuestion(zones, "q.wild.example.com", "A").answers).toEqual([{ name: "q.wild.example.com", type: "A", ttl: 10, data: "198.51.100.1" }]);
    expect(answerQuestion(zones, "x.wild.example.com", "A")).toMatchObject({ rcode: "NOERROR", answers: [] });
    // RFC 4592: the source of synthesis is `*.<closest encloser>`, also for deeper names.
    expect(answerQuestion(zones, "q.r.wild.example.com", "A").answers.map((r) => r.data)).toEqual(["198.51.100.1"]);
    expect(answerQuestion(zones, "q.nothing.example.com", "A").rcode).toBe("NXDOMAIN");
    expect(answerQuestion(zones, "example.com", "SOA")).toMatchObject({ soaIsAnswer: true, soa: { zone: "example.com" } });
  });

  test("malformed, non-query and multi-question messages", () => {
    expect(handleDnsMessage(Buffer.from([1, 2, 3]), zones)).toBeUndefined();
    const garbage = Buffer.concat([Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]), Buffer.from([0x40])]);
    const formerr = packet.decode(handleDnsMessage(garbage, zones)!) as unknown as { id: number; rcode: string };
    expect(formerr).toMatchObject({ id: 0x1234, rcode: "FORMERR" });
    const two = packet.encode({ type: "query", id: 9, questions: [{ type: "A", name: "www.example.com" }, { type: "A", name: "a.example.com" }] });
    expect((packet.decode(handleDnsMessage(two, zones)!) as unknown as { rcode: string }).rcode).toBe("FORMERR");
    const notify = packet.encode({ type: "query", id: 10, flags: 4 << 11, questions: [{ type: "SOA", name: "example.com" }] });
    expect((packet.decode(handleDnsMessage(notify, zones)!) as unknown as { rcode: string }).rcode).toBe("NOTIMP");
    expect(servedZones([])).toEqual([]);
  });
});

describe("emulator option dnsServer", () => {
  test("false: no DNS server; a port in use: startEmulator rejects and leaves nothing listening", async () => {
    const off = await startEmulator({ dnsServer: false });
    expect(off.dnsPort).toBeUndefined();
    await off.close();
    const taken = dgram.createSocket("udp4");
    await new Promise<void>((r) => taken.bind(0, "127.0.0.1", () => r()));
    const port = taken.address().port;
    try {
      await expect(startEmulator({ port: 0, dnsServer: { port } })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await new Promise<void>((r) => taken.close(() => r()));
    }
    const fixed = await startEmulator({ dnsServer: { port } });
    expect(fixed.dnsPort).toBe(port);
    await fixed.close();
  });
});

describe("dig", () => {
  test("dig @127.0.0.1 -p PORT shows the record over UDP and TCP", async () => {
    const dig = await run("dig", ["-v"]).then(
      () => true,
      (e: NodeJS.ErrnoException) => {
        console.log(`SKIPPED dig test: dig is not available (${e.code ?? e.message}); install bind9-dnsutils`);
        return false;
      },
    );
    if (!dig) return;
    const args = ["@127.0.0.1", "-p", String(emu.dnsPort), "+time=2", "+tries=1"];
    const short = await run("dig", [...args, "www.example.org", "A", "+short"]);
    expect(short.stdout.trim()).toBe("198.51.100.20");
    const tcp = await run("dig", [...args, "+tcp", "www.example.net", "A", "+noall", "+answer"]);
    expect(tcp.stdout).toMatch(/^www\.example\.net\.\s+3600\s+IN\s+A\s+198\.51\.100\.30$/m);
    const nx = await run("dig", [...args, "nope.example.org", "A"]);
    expect(nx.stdout).toMatch(/status: NXDOMAIN/);
    expect(nx.stdout).toMatch(/flags: qr aa rd;/);
  });
});

function udpExchange(query: Buffer): Promise<packet.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket("udp4");
    const t = setTimeout(() => {
      s.close();
      reject(new Error("no UDP answer"));
    }, 2000);
    s.on("message", (m) => {
      clearTimeout(t);
      s.close();
      resolve(packet.decode(m));
    });
    s.send(query, emu.dnsPort!, "127.0.0.1");
  });
}

function tcpExchange(query: Buffer): Promise<packet.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const c = net.connect(emu.dnsPort!, "127.0.0.1");
    let buf = Buffer.alloc(0);
    c.on("error", reject);
    c.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        c.destroy();
        resolve(packet.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
      }
    });
    const framed = Buffer.alloc(2 + query.length);
    framed.writeUInt16BE(query.length, 0);
    query.copy(framed, 2);
    c.write(framed);
  });
}
