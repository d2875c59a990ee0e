// A browser's globals for the official libraries that expect one (Mermaid's parser,
// Microsoft's Adaptive Cards), set once per test file.
import { JSDOM } from 'jsdom';

let installed = false;

export function installDom(): void {
  if (installed) return;
  const dom = new JSDOM('<!doctype html><html><body></body></html>');
  Object.assign(globalThis, { window: dom.window, document: dom.window.document });
  installed = true;
}
