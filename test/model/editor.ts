// What VS Code's own JSON language service (vscode-json-languageservice, the
// code behind its JSON editor) says about a data file: diagnostics and hovers.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Diagnostic, getLanguageService } from 'vscode-json-languageservice';
import { TextDocument } from 'vscode-languageserver-textdocument';

export interface Editor {
  /** The problems VS Code would underline in `text`, validated against `schema` (a file name in `folder`). */
  diagnostics(text: string): Promise<Diagnostic[]>;
  /** The hover text at the first occurrence of `needle` (a key) in `text`. */
  hover(text: string, needle: string): Promise<string>;
}

export async function editorFor(folder: string, schemaName: string): Promise<Editor> {
  const uri = `file://${join(folder, schemaName)}`;
  const service = getLanguageService({
    schemaRequestService: async (requested) => readFile(new URL(requested), 'utf8'),
  });
  service.configure({ validate: true, schemas: [{ uri, fileMatch: ['*.json'] }] });
  const doc = (text: string) => TextDocument.create('file:///data/file.json', 'json', 1, text);
  return {
    async diagnostics(text) {
      const d = doc(text);
      return service.doValidation(d, service.parseJSONDocument(d));
    },
    async hover(text, needle) {
      const d = doc(text);
      const at = d.positionAt(text.indexOf(needle) + 1);
      const found = await service.doHover(d, at, service.parseJSONDocument(d));
      const contents = found?.contents;
      if (!contents) return '';
      if (typeof contents === 'string') return contents;
      if (Array.isArray(contents)) return contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
      return contents.value;
    },
  };
}
