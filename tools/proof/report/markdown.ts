import type { Block } from './document';

function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, '<br>');

export function renderMarkdown(blocks: readonly Block[]): string {
  const out: string[] = [];
  for (const block of blocks) {
    switch (block.kind) {
      case 'heading':
        // An explicit anchor, so the summary's links work in any renderer.
        out.push(`${block.anchor ? `<a id="${block.anchor}"></a>\n\n` : ''}${'#'.repeat(block.level)} ${block.text}`);
        break;
      case 'paragraph':
        out.push(block.text);
        break;
      case 'list':
        out.push(block.items.map((item) => `- ${item.replace(/\n/g, '\n  ')}`).join('\n'));
        break;
      case 'table':
        out.push(
          [
            `| ${block.header.map(cell).join(' | ')} |`,
            `| ${block.header.map(() => '---').join(' | ')} |`,
            ...block.rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
          ].join('\n'),
        );
        break;
      case 'code': {
        const f = fence(block.text);
        out.push(`${block.title ? `*${block.title}*\n\n` : ''}${f}text\n${block.text}\n${f}`);
        break;
      }
      case 'images':
        out.push(block.images.map((image) => `![${image.caption}](${image.src})`).join('\n'));
        break;
    }
  }
  return `${out.join('\n\n')}\n`;
}
