/**
 * The little TOML the foreign configs we import use: [table], [[array of tables]], and
 * `key = value` with strings (basic, literal, multi-line), numbers, booleans and arrays of
 * those. Enough to read them, not a general parser: anything else is skipped, not guessed.
 */
export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

export function parseToml(text: string): TomlTable {
  const root: TomlTable = {};
  let table = root;
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = stripComment(lines[index]).trim();
    if (line === '') continue;
    const arrayTable = /^\[\[\s*([^\]]+?)\s*\]\]$/.exec(line);
    if (arrayTable) {
      const { parent, key } = walk(root, arrayTable[1]);
      const list = (Array.isArray(parent[key]) ? parent[key] : (parent[key] = [])) as TomlValue[];
      table = {};
      list.push(table);
      continue;
    }
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      const { parent, key } = walk(root, header[1]);
      table = (typeof parent[key] === 'object' && !Array.isArray(parent[key]) ? parent[key] : (parent[key] = {})) as TomlTable;
      continue;
    }
    const assignment = /^("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=\s*(.*)$/.exec(line);
    if (!assignment) continue;
    let raw = assignment[2];
    // A multi-line string or array runs on until it closes.
    while (unclosed(raw) && index + 1 < lines.length) raw += '\n' + lines[++index];
    const value = parseValue(raw.trim());
    if (value !== undefined) table[unquote(assignment[1])] = value;
  }
  return root;
}

function walk(root: TomlTable, dotted: string): { parent: TomlTable; key: string } {
  const keys = dotted.split('.').map((key) => unquote(key.trim()));
  let parent = root;
  for (const key of keys.slice(0, -1)) {
    if (typeof parent[key] !== 'object' || Array.isArray(parent[key])) parent[key] = {};
    parent = parent[key] as TomlTable;
  }
  return { parent, key: keys[keys.length - 1] };
}

function unquote(key: string): string {
  return /^["'].*["']$/.test(key) ? key.slice(1, -1) : key;
}

function unclosed(raw: string): boolean {
  const trimmed = raw.trim();
  for (const fence of ['"""', "'''"]) {
    if (trimmed.startsWith(fence)) return trimmed.length < 6 || !trimmed.slice(3).includes(fence);
  }
  if (trimmed.startsWith('[')) return depth(trimmed) > 0;
  return false;
}

function depth(raw: string): number {
  let level = 0;
  let quote: string | null = null;
  for (const char of raw) {
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '[') level++;
    else if (char === ']') level--;
  }
  return level;
}

function parseValue(raw: string): TomlValue | undefined {
  if (raw.startsWith('"""')) return basicEscapes(raw.slice(3, raw.indexOf('"""', 3)).replace(/^\n/, ''));
  if (raw.startsWith("'''")) return raw.slice(3, raw.indexOf("'''", 3)).replace(/^\n/, '');
  if (raw.startsWith('"')) {
    const end = closingQuote(raw);
    return end < 0 ? undefined : basicEscapes(raw.slice(1, end));
  }
  if (raw.startsWith("'")) {
    const end = raw.indexOf("'", 1);
    return end < 0 ? undefined : raw.slice(1, end);
  }
  if (raw.startsWith('[')) return splitArray(raw.slice(1, raw.lastIndexOf(']'))).map(parseValue).filter((value): value is TomlValue => value !== undefined);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  const number = Number(raw.replace(/_/g, ''));
  return raw !== '' && Number.isFinite(number) ? number : undefined;
}

function closingQuote(raw: string): number {
  for (let index = 1; index < raw.length; index++) {
    if (raw[index] === '\\') index++;
    else if (raw[index] === '"') return index;
  }
  return -1;
}

function basicEscapes(text: string): string {
  return text.replace(/\\(["\\nt])/g, (_, char: string) => (char === 'n' ? '\n' : char === 't' ? '\t' : char));
}

function splitArray(inner: string): string[] {
  const items: string[] = [];
  let current = '';
  let quote: string | null = null;
  let level = 0;
  for (const char of inner) {
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '[') level++;
    else if (char === ']') level--;
    else if (char === ',' && level === 0) {
      items.push(current.trim());
      current = '';
      continue;
    }
    current += char;
  }
  if (current.trim()) items.push(current.trim());
  return items.map((item) => stripComment(item).trim()).filter(Boolean);
}

function stripComment(line: string): string {
  let quote: string | null = null;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '#') return line.slice(0, index);
  }
  return line;
}
