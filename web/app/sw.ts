// Service worker: precaches the whole site on install and serves it cache-first, so the app works offline after one visit.
// `ondevice deploy web` prepends `self.__PRECACHE = { version, files }` to the compiled file.
declare const self: ServiceWorkerGlobalScope & { __PRECACHE: { version: string; files: string[] } };
export {};

const { version, files } = self.__PRECACHE;
const CACHE = `ondevice-${version}`;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(files.map((f) => new Request(f, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key.startsWith('ondevice-') && key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // A page load (any query string) is the cached index; everything else by exact URL.
    const key = request.mode === 'navigate' ? new URL('./', self.registration.scope).href : request;
    const hit = await cache.match(key, { ignoreSearch: request.mode === 'navigate' });
    if (hit) return hit;
    const response = await fetch(request);
    // Files not precached (e.g. the WebGPU build of onnxruntime) are kept once fetched, for later offline use.
    if (response.ok && response.type === 'basic') await cache.put(request, response.clone());
    return response;
  })());
});
