import readline from 'node:readline/promises';
import type { CliIo } from './command';

export function nodeIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
      return Buffer.concat(chunks).toString('utf8');
    },
    env: process.env,
    stdoutIsTerminal: process.stdout.isTTY === true,
    ...(process.stdin.isTTY ? { askLine } : {}),
  };
}

async function askLine(prompt: string): Promise<string | null> {
  const reader = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const closed = new Promise<null>((resolve) => reader.once('close', () => resolve(null)));
  try {
    return await Promise.race([reader.question(prompt), closed]);
  } finally {
    reader.close();
  }
}
