/**
 * The command that shows the next page: this one as it was typed (its words
 * and options kept, any earlier `--cursor` replaced), with `--cursor`. `list`
 * and `search` page the same way.
 */
export function nextPageCommand(command: string, cursor: string, argv: readonly string[] = process.argv.slice(2)): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--cursor') {
      i++;
      continue;
    }
    if (a.startsWith('--cursor=')) continue;
    kept.push(a);
  }
  const quote = (a: string) => (/^[\w@%+=:,./~-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const words = kept.length ? kept : [command];
  return ['sarc', ...words, '--cursor', cursor].map(quote).join(' ');
}
