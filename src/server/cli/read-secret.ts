import readline from 'node:readline';

/**
 * Secrets come from stdin (piped) or a prompt that does not echo; never from argv, where
 * they would land in shell history and `ps` output.
 */
export async function readSecret(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const output = rl as unknown as { _writeToOutput: (s: string) => void };
  let prompted = false;
  output._writeToOutput = (text: string) => {
    if (!prompted) {
      process.stderr.write(text);
      prompted = true;
    }
  };
  try {
    return await new Promise<string>((resolve) => rl.question(prompt, resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}
