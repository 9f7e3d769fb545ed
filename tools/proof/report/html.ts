import type { Block } from './document';

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `code`, **bold** and [links](#anchor), after escaping; PASS / FAIL / NOT RUN become badges. */
function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    // No screenshots/ links: report.html carries its pictures itself (see `images` below).
    .replace(/\[([^\]]+)\]\(((?:#|https?:\/\/|transcripts\/)[^)\s]*)\)/g, '<a href="$2">$1</a>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\b(PASS|FAIL|NOT RUN)\b(?![^<]*<\/code>)/g, (m) => `<span class="badge ${m === 'PASS' ? 'pass' : m === 'FAIL' ? 'fail' : 'notrun'}">${m}</span>`)
    .replace(/\n/g, '<br>');
}

const STYLE = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg-code: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
main { max-width: 1120px; margin: 0 auto; padding: 32px 24px 80px; }
h1 { font-size: 28px; margin: 0 0 8px; }
h2 { font-size: 21px; margin: 40px 0 12px; padding-top: 12px; border-top: 1px solid var(--line); }
h3 { font-size: 17px; margin: 28px 0 8px; }
p, ul { margin: 8px 0 12px; }
li { margin: 3px 0; }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--bg-code); padding: 1px 4px; border-radius: 4px; }
pre { font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--bg-code); border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
.codetitle { font-size: 13px; color: var(--muted); margin: 14px 0 -4px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 14px; }
th, td { border: 1px solid var(--line); padding: 6px 10px; text-align: left; vertical-align: top; }
th { background: var(--bg-code); }
.badge { display: inline-block; font-weight: 700; font-size: 12px; padding: 1px 8px; border-radius: 10px; letter-spacing: .02em; }
.badge.pass { background: #dafbe1; color: #116329; }
.badge.fail { background: #ffebe9; color: #a40e26; }
.badge.notrun { background: #fff8c5; color: #7d4e00; }
.shots { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 16px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px; background: #fff; }
figure img { width: 100%; height: auto; display: block; border-radius: 4px; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 6px; }
.missing { color: #a40e26; font-weight: 600; }
a { color: #0550ae; }
`;

/** The bytes of an image block's `src` (a path relative to the report folder), or undefined when it is missing. */
export type ImageSource = (src: string) => Uint8Array | undefined;

/**
 * Every picture is embedded as a data: URI (base64 PNG), so report.html stands alone: moved,
 * mailed or attached, it still shows its screenshots. report.md keeps relative links.
 */
function figure(image: { src: string; caption: string }, read: ImageSource): string {
  const bytes = read(image.src);
  const caption = `<figcaption>${escapeHtml(image.caption)}</figcaption>`;
  if (!bytes) return `<figure><p class="missing">${escapeHtml(image.caption)}: the picture was missing when this report was written</p>${caption}</figure>`;
  return `<figure><img src="data:image/png;base64,${Buffer.from(bytes).toString('base64')}" alt="${escapeHtml(image.caption)}">${caption}</figure>`;
}

export function renderHtml(title: string, blocks: readonly Block[], readImage: ImageSource): string {
  const body: string[] = [];
  for (const block of blocks) {
    switch (block.kind) {
      case 'heading': {
        const id = block.anchor ? ` id="${escapeHtml(block.anchor)}"` : '';
        body.push(`<h${block.level}${id}>${inline(block.text)}</h${block.level}>`);
        break;
      }
      case 'paragraph':
        body.push(`<p>${inline(block.text)}</p>`);
        break;
      case 'list':
        body.push(`<ul>${block.items.map((item) => `<li>${inline(item)}</li>`).join('')}</ul>`);
        break;
      case 'table':
        body.push(
          `<table><thead><tr>${block.header.map((h) => `<th>${inline(h)}</th>`).join('')}</tr></thead><tbody>${block.rows
            .map((row) => `<tr>${row.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`)
            .join('')}</tbody></table>`,
        );
        break;
      case 'code':
        if (block.title) body.push(`<div class="codetitle">${inline(block.title)}</div>`);
        body.push(`<pre>${escapeHtml(block.text)}</pre>`);
        break;
      case 'images':
        body.push(
          `<div class="shots">${block.images.map((image) => figure(image, readImage)).join('')}</div>`,
        );
        break;
    }
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body.join('\n')}
</main>
</body>
</html>
`;
}
