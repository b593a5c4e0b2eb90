/**
 * A linear-time matcher for the regular-expression subset fault rules use for `path`.
 *
 * JavaScript's `RegExp` backtracks: `^/(a+)+$` against `/aaaa…a!` takes exponential time and
 * `.*.*.*x` cubic time, and one such rule sent to `POST /_emulator/faults` froze the event loop
 * for seconds. Pattern strings are therefore compiled to a Thompson NFA and simulated with a
 * set of states (Pike VM without captures): time is O(path length × pattern size) for every
 * pattern, and the pattern size is bounded ({@link MAX_PATTERN_LENGTH}, {@link MAX_PROGRAM_SIZE}).
 *
 * Supported (JavaScript semantics, no flags): literals, `.`, escapes `\d \D \w \W \s \S \t \n \r
 * \f \v \0 \xHH \uHHHH` and escaped punctuation, classes `[a-z]` / `[^…]`, groups `(…)` /
 * `(?:…)`, alternation `|`, quantifiers `* + ? {n} {n,} {n,m}` (m ≤ 100; lazy `?` suffix accepted,
 * same result for a yes/no match), anchors `^` `$`. Refused with an error naming the construct:
 * backreferences, lookarounds, named groups, `\b`/`\B`, unicode property escapes.
 */

/** Longest pattern accepted, in characters. */
export const MAX_PATTERN_LENGTH = 512;
/** Largest compiled program (NFA instructions) accepted; bounded repeats are expanded. */
export const MAX_PROGRAM_SIZE = 4096;
const MAX_REPEAT = 100;
const MAX_NESTING = 32;

/** A compiled pattern: `test` answers like `new RegExp(source).test(s)`, in linear time. */
export interface LinearPattern {
  readonly source: string;
  test(s: string): boolean;
}

type Ranges = Array<[number, number]>;
type Node =
  | { t: "char"; ranges: Ranges; neg: boolean }
  | { t: "seq"; items: Node[] }
  | { t: "alt"; items: Node[] }
  | { t: "rep"; node: Node; min: number; max: number }
  | { t: "bol" }
  | { t: "eol" };

const DIGIT: Ranges = [[48, 57]];
const WORD: Ranges = [
  [48, 57],
  [65, 90],
  [95, 95],
  [97, 122],
];
const SPACE: Ranges = [
  [9, 13],
  [32, 32],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];
const LINE_TERMINATORS: Ranges = [
  [10, 10],
  [13, 13],
  [0x2028, 0x2029],
];

/** Thrown for a pattern that is not in the supported subset (message names the construct). */
export class PatternError extends Error {}

function negate(r: Ranges): Ranges {
  const sorted = [...r].sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= 0xffff) out.push([next, 0xffff]);
  return out;
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  parse(): Node {
    const n = this.alt();
    if (this.i < this.s.length) throw new PatternError(`unmatched ")" at ${this.i}`);
    return n;
  }

  private alt(): Node {
    const items = [this.seq()];
    while (this.s[this.i] === "|") {
      this.i++;
      items.push(this.seq());
    }
    return items.length === 1 ? items[0] : { t: "alt", items };
  }

  private seq(): Node {
    const items: Node[] = [];
    while (this.i < this.s.length && this.s[this.i] !== "|" && this.s[this.i] !== ")") items.push(this.quantified());
    return { t: "seq", items };
  }

  private quantified(): Node {
    const atom = this.atom();
    const c = this.s[this.i];
    let min: number;
    let max: number;
    if (c === "*" || c === "+" || c === "?") {
      this.i++;
      [min, max] = c === "*" ? [0, Infinity] : c === "+" ? [1, Infinity] : [0, 1];
    } else if (c === "{" && /^\{\d+(,\d*)?\}/.test(this.s.slice(this.i))) {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.i))!;
      this.i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
      if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) throw new PatternError(`repeat counts above ${MAX_REPEAT} are not supported`);
      if (max < min) throw new PatternError("numbers out of order in {} quantifier");
    } else return atom;
    if (atom.t === "bol" || atom.t === "eol") throw new PatternError("nothing to repeat");
    if (this.s[this.i] === "?") this.i++; // lazy: same yes/no answer
    const after = this.s[this.i];
    if (after === "*" || after === "+" || after === "?" || (after === "{" && /^\{\d+(,\d*)?\}/.test(this.s.slice(this.i)))) {
      throw new PatternError("nothing to repeat");
    }
    return { t: "rep", node: atom, min, max };
  }

  private atom(): Node {
    const c = this.s[this.i++];
    switch (c) {
      case "^":
        return { t: "bol" };
      case "$":
        return { t: "eol" };
      case ".":
        return { t: "char", ranges: LINE_TERMINATORS, neg: true };
      case "(": {
        if (this.s[this.i] === "?") {
          if (this.s[this.i + 1] !== ":") throw new PatternError("lookarounds and named groups are not supported");
          this.i += 2;
        }
        if (++this.depth > MAX_NESTING) throw new PatternError(`groups nested deeper than ${MAX_NESTING}`);
        const n = this.alt();
        this.depth--;
        if (this.s[this.i] !== ")") throw new PatternError('missing ")"');
        this.i++;
        return n;
      }
      case ")":
        throw new PatternError(`unmatched ")" at ${this.i - 1}`);
      case "[":
        return this.cls();
      case "*":
      case "+":
      case "?":
        throw new PatternError("nothing to repeat");
      case "\\":
        return this.escape(false);
      default:
        return { t: "char", ranges: [[c.charCodeAt(0), c.charCodeAt(0)]], neg: false };
    }
  }

  /** After a backslash. In a class, returns a node whose ranges are merged by the caller. */
  private escape(inClass: boolean): Node & { t: "char" } {
    const c = this.s[this.i++];
    if (c === undefined) throw new PatternError("\\ at end of pattern");
    const one = (code: number) => ({ t: "char" as const, ranges: [[code, code]] as Ranges, neg: false });
    switch (c) {
      case "d":
        return { t: "char", ranges: DIGIT, neg: false };
      case "D":
        return { t: "char", ranges: negate(DIGIT), neg: false };
      case "w":
        return { t: "char", ranges: WORD, neg: false };
      case "W":
        return { t: "char", ranges: negate(WORD), neg: false };
      case "s":
        return { t: "char", ranges: SPACE, neg: false };
      case "S":
        return { t: "char", ranges: negate(SPACE), neg: false };
      case "t":
        return one(9);
      case "n":
        return one(10);
      case "v":
        return one(11);
      case "f":
        return one(12);
      case "r":
        return one(13);
      case "x":
      case "u": {
        const len = c === "x" ? 2 : 4;
        const hex = this.s.slice(this.i, this.i + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new PatternError(`\\${c} needs ${len} hex digits`);
        this.i += len;
        return one(Number.parseInt(hex, 16));
      }
      case "b":
        if (inClass) return one(8);
        throw new PatternError("\\b and \\B are not supported");
      case "B":
        throw new PatternError("\\b and \\B are not supported");
      default:
        if (c === "0" && !/[0-9]/.test(this.s[this.i] ?? "")) return one(0);
        if (/[0-9]/.test(c)) throw new PatternError("backreferences are not supported");
        if (/[A-Za-z]/.test(c)) throw new PatternError(`escape \\${c} is not supported`);
        return one(c.charCodeAt(0));
    }
  }

  private cls(): Node {
    let neg = false;
    if (this.s[this.i] === "^") {
      neg = true;
      this.i++;
    }
    const ranges: Ranges = [];
    const single = (): Ranges | number => {
      const c = this.s[this.i++];
      if (c === "\\") {
        const e = this.escape(true);
        return e.ranges.length === 1 && e.ranges[0][0] === e.ranges[0][1] ? e.ranges[0][0] : e.ranges;
      }
      return c.charCodeAt(0);
    };
    while (this.i < this.s.length && this.s[this.i] !== "]") {
      const lo = single();
      if (this.s[this.i] === "-" && this.s[this.i + 1] !== undefined && this.s[this.i + 1] !== "]") {
        this.i++;
        const hi = single();
        if (typeof lo !== "number" || typeof hi !== "number") throw new PatternError("invalid character class range");
        if (hi < lo) throw new PatternError("range out of order in character class");
        ranges.push([lo, hi]);
      } else if (typeof lo === "number") ranges.push([lo, lo]);
      else ranges.push(...lo);
    }
    if (this.s[this.i] !== "]") throw new PatternError('missing "]"');
    this.i++;
    return { t: "char", ranges, neg };
  }
}

// ---------------------------------------------------------------- compiler (Pike VM program)
type Inst =
  | { op: "char"; ranges: Ranges; neg: boolean; next: number }
  | { op: "split"; a: number; b: number }
  | { op: "jmp"; to: number }
  | { op: "bol"; next: number }
  | { op: "eol"; next: number }
  | { op: "match" };

class Compiler {
  prog: Inst[] = [];
  private emit(i: Inst): number {
    if (this.prog.length >= MAX_PROGRAM_SIZE) throw new PatternError(`pattern too large (more than ${MAX_PROGRAM_SIZE} steps after expanding repeats)`);
    this.prog.push(i);
    return this.prog.length - 1;
  }
  /** Appends the instructions of `n`; control continues at the next instruction after them. */
  gen(n: Node): void {
    switch (n.t) {
      case "char":
        this.link(this.emit({ op: "char", ranges: n.ranges, neg: n.neg, next: -1 }));
        return;
      case "bol":
        this.link(this.emit({ op: "bol", next: -1 }));
        return;
      case "eol":
        this.link(this.emit({ op: "eol", next: -1 }));
        return;
      case "seq":
        for (const x of n.items) this.gen(x);
        return;
      case "alt": {
        // split L1, next-split …; each branch jumps to the end.
        const ends: number[] = [];
        for (let k = 0; k < n.items.length; k++) {
          if (k < n.items.length - 1) {
            const sp = this.emit({ op: "split", a: this.prog.length + 1, b: -1 });
            this.gen(n.items[k]);
            ends.push(this.emit({ op: "jmp", to: -1 }));
            (this.prog[sp] as { b: number }).b = this.prog.length;
          } else this.gen(n.items[k]);
        }
        for (const e of ends) (this.prog[e] as { to: number }).to = this.prog.length;
        return;
      }
      case "rep": {
        for (let k = 0; k < n.min; k++) this.gen(n.node);
        if (n.max === Infinity) {
          const sp = this.emit({ op: "split", a: this.prog.length + 1, b: -1 });
          this.gen(n.node);
          this.emit({ op: "jmp", to: sp });
          (this.prog[sp] as { b: number }).b = this.prog.length;
        } else {
          const splits: number[] = [];
          for (let k = n.min; k < n.max; k++) {
            splits.push(this.emit({ op: "split", a: this.prog.length + 1, b: -1 }));
            this.gen(n.node);
          }
          for (const sp of splits) (this.prog[sp] as { b: number }).b = this.prog.length;
        }
        return;
      }
    }
  }
  /** Instructions are laid out in order: a single-successor instruction continues at pc + 1. */
  private link(pc: number): void {
    (this.prog[pc] as { next: number }).next = pc + 1;
  }
}

function inRanges(code: number, ranges: Ranges): boolean {
  for (const [lo, hi] of ranges) if (code >= lo && code <= hi) return true;
  return false;
}

/** Compiles a pattern string; throws {@link PatternError} for anything outside the subset. */
export function compileLinearPattern(source: string): LinearPattern {
  if (typeof source !== "string") throw new PatternError("must be a string");
  if (source.length > MAX_PATTERN_LENGTH) throw new PatternError(`longer than ${MAX_PATTERN_LENGTH} characters`);
  const c = new Compiler();
  c.gen(new Parser(source).parse());
  c.prog.push({ op: "match" });
  const prog = c.prog;
  const size = prog.length;
  return {
    source,
    test(s: string): boolean {
      // Pike VM: the set of live pcs per position; `mark` dedupes pcs within one step.
      const mark = new Int32Array(size).fill(-1);
      let clist: number[] = [];
      let nlist: number[] = [];
      const stack: number[] = [];
      const add = (list: number[], pc0: number, pos: number, stamp: number): boolean => {
        stack.push(pc0);
        while (stack.length > 0) {
          const pc = stack.pop()!;
          if (mark[pc] === stamp) continue;
          mark[pc] = stamp;
          const inst = prog[pc];
          switch (inst.op) {
            case "match":
              stack.length = 0;
              return true;
            case "jmp":
              stack.push(inst.to);
              break;
            case "split":
              stack.push(inst.b, inst.a);
              break;
            case "bol":
              if (pos === 0) stack.push(inst.next);
              break;
            case "eol":
              if (pos === s.length) stack.push(inst.next);
              break;
            case "char":
              list.push(pc);
              break;
          }
        }
        return false;
      };
      for (let pos = 0; pos <= s.length; pos++) {
        // Unanchored search: a new thread starts at every position (same stamp as this step).
        if (add(clist, 0, pos, pos)) return true;
        if (pos === s.length) break;
        const code = s.charCodeAt(pos);
        nlist = [];
        for (const pc of clist) {
          const inst = prog[pc] as Extract<Inst, { op: "char" }>;
          if (inRanges(code, inst.ranges) !== inst.neg && add(nlist, inst.next, pos + 1, pos + 1)) return true;
        }
        clist = nlist;
      }
      return false;
    },
  };
}
