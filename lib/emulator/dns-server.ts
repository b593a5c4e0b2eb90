/**
 * The emulator's DNS server: answers queries over UDP and TCP (same port, loopback by default)
 * for the zones of its DNS provider emulators, authoritatively and with each record's TTL, so a
 * failover can be verified offline the way the seed guide does it:
 *
 * ```
 * dig @127.0.0.1 -p <emulator.dnsPort> www.example.com A +short
 * ```
 *
 * Packets are encoded and decoded with `dns-packet`; this file only decides what to answer (see
 * `dns-answer.ts`): NOERROR with the records, NODATA (NOERROR, no answers, SOA in authority),
 * NXDOMAIN (with SOA), REFUSED for names outside every zone, NOTIMP for opcodes other than QUERY,
 * FORMERR for malformed questions. UDP answers larger than the client's buffer (512 bytes, or the
 * EDNS size it advertises) are sent truncated (TC) so the client retries over TCP.
 */
import * as dgram from "node:dgram";
import * as net from "node:net";
import * as packet from "dns-packet";
import { answerQuestion, type ServedRecord, type ServedZone } from "./dns-answer";

export { answerQuestion, type DnsAnswer, SERVED_TYPES, type ServedRecord, type ServedZone, servedZones } from "./dns-answer";

/** Options of {@link startDnsServer}. */
export interface DnsServerOptions {
  /** UDP and TCP port (the same number for both); 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to bind. @default "127.0.0.1" */
  host?: string;
}

/** A running DNS server. */
export interface DnsServer {
  /** Address it listens on. */
  readonly host: string;
  /** Port of both the UDP and the TCP listener. */
  readonly port: number;
  /** Queries answered since start (UDP + TCP). */
  queries(): number;
  /** Closes both listeners and every open TCP connection. */
  close(): Promise<void>;
}

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
/** EDNS buffer size the server advertises and caps client sizes at. */
const EDNS_SIZE = 1232;
/** Idle TCP connections are closed after this many real ms. */
const TCP_IDLE_MS = 10_000;

function rr(r: ServedRecord, name: string): packet.Answer {
  const base = { name, ttl: r.ttl, class: "IN" as const };
  if (r.type === "MX") return { ...base, type: "MX", data: r.data as { preference: number; exchange: string } };
  if (r.type === "TXT") {
    // A TXT string holds at most 255 bytes: split longer texts.
    const text = Buffer.from(r.data as string, "utf8");
    const parts: Buffer[] = [];
    for (let i = 0; i < text.length || parts.length === 0; i += 255) parts.push(text.subarray(i, i + 255));
    return { ...base, type: "TXT", data: parts };
  }
  return { ...base, type: r.type as "A" | "AAAA" | "CNAME" | "NS", data: r.data as string };
}

/**
 * Answers one DNS message (`maxSize`: UDP payload limit, or `Infinity` over TCP). Returns
 * `undefined` for input too short to carry an id (nothing can be answered).
 */
export function handleDnsMessage(msg: Buffer, zones: readonly ServedZone[], maxSize = 512): Buffer | undefined {
  if (msg.length < 12) return undefined;
  const id = msg.readUInt16BE(0);
  const rd = msg.readUInt16BE(2) & packet.RECURSION_DESIRED;
  let q: packet.DecodedPacket;
  try {
    q = packet.decode(msg);
  } catch {
    return packet.encode({ type: "response", id, flags: rd | RCODE.FORMERR, questions: [] });
  }
  if (q.type !== "query") return undefined;
  const opcode = (q as unknown as { opcode?: string }).opcode;
  const questions = q.questions ?? [];
  const opt = (q.additionals ?? []).find((a) => a.type === "OPT") as packet.OptAnswer | undefined;
  const additionals: packet.Answer[] = opt
    ? [{ type: "OPT", name: ".", udpPayloadSize: EDNS_SIZE, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }]
    : [];
  const reply = (rcode: number, extra: Partial<packet.Packet> = {}, aa = false) =>
    packet.encode({ type: "response", id, flags: rd | (aa ? packet.AUTHORITATIVE_ANSWER : 0) | rcode, questions, additionals, ...extra });
  if (opcode !== "QUERY") return reply(RCODE.NOTIMP);
  if (questions.length !== 1) return reply(RCODE.FORMERR);
  const question = questions[0]!;
  if (question.class !== undefined && question.class !== "IN" && question.class !== "ANY") return reply(RCODE.REFUSED);
  const a = answerQuestion(zones, question.name, String(question.type));
  if (a.rcode === "REFUSED") return reply(RCODE.REFUSED);
  // The first hop answers with the name as asked (keeps the client's 0x20 case).
  const asked = question.name.toLowerCase().replace(/\.$/, "");
  const answers = a.answers.map((r) => rr(r, r.name === asked ? question.name : r.name));
  const soa: packet.Answer[] = a.soa
    ? [
        {
          type: "SOA",
          name: a.soa.zone,
          ttl: a.soa.ttl,
          class: "IN",
          data: { mname: a.soa.mname, rname: a.soa.rname, serial: a.soa.serial, refresh: 3600, retry: 600, expire: 604800, minimum: a.soa.minimum },
        },
      ]
    : [];
  const full = reply(RCODE[a.rcode], a.soaIsAnswer ? { answers: soa } : { answers, authorities: soa }, true);
  const limit = maxSize === Number.POSITIVE_INFINITY ? maxSize : Math.max(maxSize, Math.min(opt?.udpPayloadSize ?? 512, EDNS_SIZE));
  if (full.length <= limit) return full;
  return packet.encode({ type: "response", id, flags: rd | packet.AUTHORITATIVE_ANSWER | packet.TRUNCATED_RESPONSE | RCODE[a.rcode], questions, additionals });
}

async function listenUdp(host: string, port: number): Promise<dgram.Socket> {
  const sock = dgram.createSocket(net.isIPv6(host) ? "udp6" : "udp4");
  await new Promise<void>((resolve, reject) => {
    sock.once("error", reject);
    sock.bind(port, host, () => {
      sock.off("error", reject);
      resolve();
    });
  });
  return sock;
}

async function listenTcp(server: net.Server, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/**
 * Starts a DNS server answering from `zones()` (called per query, so it always sees the current
 * records). Resolves once both listeners are bound. With `port: 0`, a port free for both UDP and
 * TCP is picked (a few attempts).
 */
export async function startDnsServer(zones: () => readonly ServedZone[], options: DnsServerOptions = {}): Promise<DnsServer> {
  const host = options.host ?? "127.0.0.1";
  let count = 0;
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((conn) => {
    sockets.add(conn);
    conn.setTimeout(TCP_IDLE_MS, () => conn.destroy());
    conn.on("close", () => sockets.delete(conn));
    conn.on("error", () => conn.destroy());
    let buf = Buffer.alloc(0);
    conn.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        const out = handleDnsMessage(Buffer.from(msg), zones(), Number.POSITIVE_INFINITY);
        if (!out) {
          conn.destroy();
          return;
        }
        count++;
        const framed = Buffer.alloc(2 + out.length);
        framed.writeUInt16BE(out.length, 0);
        out.copy(framed, 2);
        conn.write(framed);
      }
    });
  });
  let udp: dgram.Socket | undefined;
  for (let attempt = 0; ; attempt++) {
    udp = await listenUdp(host, options.port ?? 0);
    const port = udp.address().port;
    try {
      await listenTcp(tcp, host, port);
      break;
    } catch (e) {
      udp.close();
      if ((options.port ?? 0) !== 0 || attempt >= 4) throw new Error(`DNS server: cannot listen on TCP ${host}:${port}: ${(e as Error).message}`);
    }
  }
  const sock = udp;
  sock.on("message", (msg, rinfo) => {
    const out = handleDnsMessage(msg, zones(), 512);
    if (!out) return;
    count++;
    sock.send(out, rinfo.port, rinfo.address);
  });
  sock.on("error", () => {
    /* a send to a vanished client: nothing to do */
  });
  const port = sock.address().port;
  let closed = false;
  return {
    host,
    port,
    queries: () => count,
    async close() {
      if (closed) return;
      closed = true;
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise<void>((r) => sock.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
    },
  };
}
