// A minimal SMTP server for the browser test: accepts every message and keeps
// it in memory, so the test can follow the activation link Larch mails.
import net from 'node:net';

export function startSmtpSink(port) {
  const messages = [];
  const waiters = [];
  const server = net.createServer((socket) => {
    let buffer = '';
    let inData = false;
    let data = [];
    const reply = (line) => socket.write(`${line}\r\n`);
    reply('220 larch-e2e ESMTP');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let eol;
      while ((eol = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            const message = data.join('\n');
            data = [];
            messages.push(message);
            waiters.splice(0).forEach((w) => w());
            reply('250 OK');
          } else {
            data.push(line.startsWith('..') ? line.slice(1) : line);
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') reply('250 larch-e2e');
        else if (verb === 'HELO') reply('250 larch-e2e');
        else if (verb === 'DATA') { inData = true; reply('354 End data with <CR><LF>.<CR><LF>'); }
        else if (verb === 'QUIT') { reply('221 Bye'); socket.end(); }
        else reply('250 OK');
      }
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve({
        messages,
        /** The first message that contains `needle`, waiting for it to arrive. */
        async find(needle) {
          for (;;) {
            const m = messages.find((x) => x.includes(needle));
            if (m) return m;
            await new Promise((r) => waiters.push(r));
          }
        },
        close: () => new Promise((r) => server.close(r)),
      }));
  });
}
