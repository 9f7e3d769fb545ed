/**
 * The report as a list of blocks, serialised twice (markdown.ts, html.ts) so report.md and
 * report.html cannot say different things. Inline text may use `code`, **bold** and [links](#anchor) only.
 */
export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string; anchor?: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; header: string[]; rows: string[][] }
  | { kind: 'code'; text: string; title?: string }
  | { kind: 'images'; images: Array<{ src: string; caption: string }> };

export const heading = (level: 1 | 2 | 3, text: string, anchor?: string): Block => ({ kind: 'heading', level, text, ...(anchor ? { anchor } : {}) });
export const paragraph = (text: string): Block => ({ kind: 'paragraph', text });
export const list = (items: string[]): Block => ({ kind: 'list', items });
export const table = (header: string[], rows: string[][]): Block => ({ kind: 'table', header, rows });
export const code = (text: string, title?: string): Block => ({ kind: 'code', text, ...(title ? { title } : {}) });
export const images = (items: Array<{ src: string; caption: string }>): Block => ({ kind: 'images', images: items });
