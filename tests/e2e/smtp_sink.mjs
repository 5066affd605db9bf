// Reads the mail Larch sent during the browser test. run.sh starts Debian's
// aiosmtpd (`python3 -m aiosmtpd -c aiosmtpd.handlers.Mailbox <dir>`) as the
// SMTP peer; it writes each message it receives into the maildir `dir`.
import fs from 'node:fs/promises';
import path from 'node:path';

export function openMailbox(dir) {
  const read = async () => {
    const found = [];
    for (const sub of ['new', 'cur']) {
      let names = [];
      try {
        names = await fs.readdir(path.join(dir, sub));
      } catch {
        continue; // aiosmtpd creates the folders with the first message
      }
      for (const name of names) found.push(await fs.readFile(path.join(dir, sub, name), 'utf8'));
    }
    return found;
  };
  return {
    /** The first message that contains `needle`, waiting for it to arrive. */
    async find(needle) {
      for (;;) {
        const message = (await read()).find((m) => m.includes(needle));
        if (message) return message;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}
