// Which endpoints an action signs in and calls ARM at: azure-cloud's table, Azure Stack's
// file (AZURE_ENVIRONMENT_FILEPATH, as the Go SDK reads it), and the two override inputs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAzureEndpoints } from '../../packages/shared/azure-cloud.js';
import { Inputs } from '../../packages/shared/inputs.js';

const dir = mkdtempSync(join(tmpdir(), 'azure-cloud-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const read = (values: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
  readAzureEndpoints(new Inputs((name) => values[name] ?? ''), {}, env);

function stackFile(content: unknown): NodeJS.ProcessEnv {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return { AZURE_ENVIRONMENT_FILEPATH: path };
}

describe('readAzureEndpoints', () => {
  it('gives each sovereign cloud its own sign-in and ARM origins, the public cloud by default', () => {
    expect(read({})).toEqual({ authorityHost: 'https://login.microsoftonline.com', armEndpoint: 'https://management.azure.com' });
    expect(read({ 'azure-cloud': 'AzureUSGovernment' })).toEqual({
      authorityHost: 'https://login.microsoftonline.us',
      armEndpoint: 'https://management.usgovcloudapi.net',
    });
    expect(read({ 'azure-cloud': 'AzureChinaCloud' })).toEqual({
      authorityHost: 'https://login.chinacloudapi.cn',
      armEndpoint: 'https://management.chinacloudapi.cn',
    });
  });

  it("reads Azure Stack's endpoints from the runner's environment file, origins only", () => {
    const env = stackFile({
      activeDirectoryEndpoint: 'https://login.stack.local/adfs/',
      resourceManagerEndpoint: 'https://management.stack.local/',
    });
    expect(read({ 'azure-cloud': 'AzureStack' }, env)).toEqual({
      authorityHost: 'https://login.stack.local',
      armEndpoint: 'https://management.stack.local',
    });
  });

  it('lets authority-host and arm-endpoint replace the cloud’s, each on its own', () => {
    expect(read({ 'azure-cloud': 'AzureUSGovernment', 'arm-endpoint': 'https://arm.example' })).toEqual({
      authorityHost: 'https://login.microsoftonline.us',
      armEndpoint: 'https://arm.example',
    });
  });

  it.each([
    ['an unknown cloud', { 'azure-cloud': 'AzureGermanCloud' }, {}, /input 'azure-cloud' must be one of AzureCloud/],
    ['AzureStack with no file', { 'azure-cloud': 'AzureStack' }, {}, /it is not set/],
    ['AzureStack with a file that is no JSON', { 'azure-cloud': 'AzureStack' }, stackFile('not json'), /cannot be read as JSON/],
    [
      'AzureStack with plain http off loopback',
      { 'azure-cloud': 'AzureStack' },
      stackFile({ activeDirectoryEndpoint: 'http://login.stack.local', resourceManagerEndpoint: 'https://m.stack.local' }),
      /missing or not https/,
    ],
    [
      'AzureStack with credentials in a URL',
      { 'azure-cloud': 'AzureStack' },
      stackFile({ activeDirectoryEndpoint: 'https://u:p@login.stack.local', resourceManagerEndpoint: 'https://m.stack.local' }),
      /missing or not https/,
    ],
    [
      'an http authority-host',
      { 'authority-host': 'http://login.example' },
      {},
      /input 'authority-host' must be an https:\/\/ URL/,
    ],
  ])('refuses %s, naming the input', (_what, values: Record<string, string>, env: NodeJS.ProcessEnv, message: RegExp) => {
    expect(() => read(values, env)).toThrow(message);
  });
});
