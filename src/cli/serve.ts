// `ondevice serve DIR`: serve a deployed site on this machine, or with --lan on the local network with its URLs and a QR code.
import type { Command } from 'commander';
import { isLoopback, isWildcard } from '../deploy/allowed-hosts.ts';
import { terminalQr } from '../deploy/qr.ts';
import { lanAddresses, lanUrls, serveStatic } from '../deploy/serve.ts';
import { selfSignedCertificate } from '../deploy/tls.ts';
import { UsageError } from '../errors.ts';
import { action } from './action.ts';
import { port } from './options.ts';

/** Adds the serve command. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve a folder (e.g. from `deploy web`) with cross-origin isolation on this machine; --lan serves the local network too, printing its URLs and a QR code')
    .argument('<dir>', 'folder to serve')
    .option('--port <n>', 'port (0: any free port)', port(), 8080)
    .option('--lan', 'serve the local network too (same as --host 0.0.0.0), so a phone on the same Wi-Fi can open it')
    .option('--host <address>', 'interface to bind (default: 127.0.0.1, this machine only)')
    .option('--https', 'serve https with a throwaway self-signed certificate (phones open the camera only on https pages)')
    .option('--log', 'print each request')
    .action(action(async (dir: string, opts: { port: number; lan?: boolean; host?: string; https?: boolean; log?: boolean }) => {
      if (opts.lan && opts.host !== undefined && !isWildcard(opts.host)) throw new UsageError(`--lan binds every interface; it cannot go with --host ${opts.host}`);
      const host = opts.lan ? '0.0.0.0' : opts.host ?? '127.0.0.1';
      const everywhere = isWildcard(host);
      const exposed = !isLoopback(host);
      const cert = opts.https ? await selfSignedCertificate(everywhere ? lanAddresses() : [host]) : undefined;
      const onRequest = opts.log ? (m: string, p: string, s: number) => process.stdout.write(`${s} ${m} ${p}\n`) : undefined;
      const running = await serveStatic(dir, { port: opts.port, host, tls: cert, onRequest });
      const lan = everywhere ? lanUrls(running.port, Boolean(cert)) : exposed ? [running.url] : [];
      const out = process.stdout;
      const p = running.port;
      out.write(`serving ${dir}\n  local:   ${running.url}\n`);
      for (const u of lan) out.write(`  network: ${u}\n`);
      if (lan.length > 0) out.write(`\n${await terminalQr(lan[0])}\n${lan[0]}\n\n`);
      if (!exposed) {
        out.write('Only this machine can open it. For a phone on the same Wi-Fi, add --lan (and --https for the camera);\n' +
          `over USB (Android), \`adb reverse tcp:${p} tcp:${p}\` and open http://localhost:${p}/ on the phone.\n`);
      } else if (cert) {
        out.write(`Self-signed certificate (SHA-1 ${cert.fingerprint}): the phone warns once; accept it to use the camera.\n` +
          'Browsers do not install a service worker over an untrusted certificate, so offline use needs a trusted one\n' +
          `(or localhost: over USB on Android, \`adb reverse tcp:${p} tcp:${p}\` and open http://localhost:${p}/).\n`);
      } else {
        out.write('Phones open the camera and keep the app offline only on https or localhost pages. Over USB (Android):\n' +
          `  adb reverse tcp:${p} tcp:${p}   then open http://localhost:${p}/ on the phone.\n` +
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
