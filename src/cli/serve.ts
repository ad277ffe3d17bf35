// `ondevice serve DIR`: serve a deployed site on the local network, printing its URLs and a QR code.
import type { Command } from 'commander';
import { terminalQr } from '../deploy/qr.ts';
import { lanAddresses, lanUrls, serveStatic } from '../deploy/serve.ts';
import { selfSignedCertificate } from '../deploy/tls.ts';
import { action } from './action.ts';
import { port } from './options.ts';

/** Adds the serve command. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve a folder (e.g. from `deploy web`) with cross-origin isolation, printing its LAN URL and a QR code')
    .argument('<dir>', 'folder to serve')
    .option('--port <n>', 'port (0: any free port)', port(), 8080)
    .option('--host <address>', 'interface to bind', '0.0.0.0')
    .option('--https', 'serve https with a throwaway self-signed certificate (phones open the camera only on https pages)')
    .option('--log', 'print each request')
    .action(action(async (dir: string, opts: { port: number; host: string; https?: boolean; log?: boolean }) => {
      const everywhere = opts.host === '0.0.0.0' || opts.host === '::';
      const cert = opts.https ? await selfSignedCertificate(everywhere ? lanAddresses() : [opts.host]) : undefined;
      const onRequest = opts.log ? (m: string, p: string, s: number) => process.stdout.write(`${s} ${m} ${p}\n`) : undefined;
      const running = await serveStatic(dir, { port: opts.port, host: opts.host, tls: cert, onRequest });
      const lan = everywhere ? lanUrls(running.port, Boolean(cert)) : [];
      const out = process.stdout;
      out.write(`serving ${dir}\n  local:   ${running.url}\n`);
      for (const u of lan) out.write(`  network: ${u}\n`);
      const target = lan[0] ?? running.url;
      out.write(`\n${await terminalQr(target)}\n${target}\n\n`);
      if (cert) {
        out.write(`Self-signed certificate (SHA-1 ${cert.fingerprint}): the phone warns once; accept it to use the camera.\n` +
          'Browsers do not install a service worker over an untrusted certificate, so offline use needs a trusted one\n' +
          '(or localhost: over USB on Android, `adb reverse tcp:PORT tcp:PORT` and open http://localhost:PORT/).\n');
      } else {
        out.write('Phones open the camera and keep the app offline only on https or localhost pages. Over USB (Android):\n' +
          `  adb reverse tcp:${running.port} tcp:${running.port}   then open http://localhost:${running.port}/ on the phone.\n` +
          'Over Wi-Fi, add --https (camera, after accepting the certificate warning). Drawing and photos work on plain http.\n');
      }
      out.write('Ctrl+C stops the server.\n');
      await new Promise<void>((ok) => {
        const stop = () => running.close().then(ok);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    }));
}
