// What reaches a terminal. A transcript is untrusted: an escape sequence in a
// message could set the window title, write the clipboard (OSC 52), recolour
// the palette, move the cursor over earlier lines or hide text. Nothing from
// the data may act on the reader, so text is cleaned twice: data before it is
// coloured (`plainTerminal`), and everything written (`terminalSafe`), which
// keeps only the colour codes `sarc` itself writes.

// biome-ignore-start lint/suspicious/noControlCharactersInRegex: control characters are what these remove
/** Escape sequences: CSI (ESC [ or 0x9B), OSC/DCS/SOS/PM/APC strings up to BEL or ST, and any other ESC + one character. */
const SEQUENCE =
  /(?:\u001b\[|\u009b)[\u0020-\u003f]*[\u0040-\u007e]?|(?:\u001b[\]P^_X]|[\u0090\u0098\u009d\u009e\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[\u0020-\u002f]*[\u0030-\u007e]?/g;
/** Control characters other than tab and newline (C0, DEL, C1), and the bidirectional overrides and isolates that reorder what is shown. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** The colour codes `sarc` writes (SGR with numbers only). */
const OWN_COLOUR = /\u001b\[[0-9;]*m/g;
const ANY = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// biome-ignore-end lint/suspicious/noControlCharactersInRegex: control characters are what these remove

/** Text from the data, fit to print: escape sequences and control characters removed (a lone carriage return ends a line). */
export function plainTerminal(text: string): string {
  if (!ANY.test(text)) return text;
  return text.replace(/\r\n?/g, '\n').replace(SEQUENCE, '').replace(CONTROL, '');
}

/** Colours on this stream: a terminal, without NO_COLOR, not a dumb one. */
export function colourOn(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
}

/** Text about to be written: `sarc`'s own colour codes kept (with `colour`; none are written without), every other sequence and control character removed. */
export function terminalSafe(text: string, colour = true): string {
  if (!colour) return plainTerminal(text);
  let out = '';
  let at = 0;
  for (const m of text.matchAll(OWN_COLOUR)) {
    out += plainTerminal(text.slice(at, m.index)) + m[0];
    at = m.index + m[0].length;
  }
  return at === 0 ? plainTerminal(text) : out + plainTerminal(text.slice(at));
}

/** Writes human text to stdout, cleaned. */
export function writeOut(text: string): void {
  process.stdout.write(terminalSafe(text, colourOn(process.stdout)));
}

/** Writes human text to stderr, cleaned. */
export function writeErr(text: string): void {
  process.stderr.write(terminalSafe(text, colourOn(process.stderr)));
}

/** A copy of data with every string in it made {@link plainTerminal}: for rendering where colour codes are kept (a terminal). */
export function deepPlain<T>(value: T): T {
  if (typeof value === 'string') return plainTerminal(value) as T;
  if (Array.isArray(value)) return value.map((v) => deepPlain(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = deepPlain(v);
    return out as T;
  }
  return value;
}
