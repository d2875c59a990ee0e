import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../packages/shared/duration.js';
import { InputError } from '../../packages/shared/errors.js';
import { Inputs, redactUserinfo } from '../../packages/shared/inputs.js';

function inputs(values: Record<string, string>, defaults: Record<string, string> = {}) {
  const masked: string[] = [];
  const reader = new Inputs(
    (name) => values[name] ?? '',
    (secret) => masked.push(secret),
    defaults,
  );
  return { reader, masked };
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected an InputError');
}

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['5m', 300_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['2h5m10s', 7_510_000],
    ['250ms', 250],
    ['1s500ms', 1500],
    ['30', 30_000],
    ['0.5', 500],
    ['1.5s', 1500],
    [' 10S ', 10_000],
    ['0s', 0],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['abc', '', 'm', '5x', '30s1m', '1m1m', '-5s', '5 m', '1.5ms', 's'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([
    [250, '250ms'],
    [90_000, '1m30s'],
    [300_000, '5m'],
    [3_723_000, '1h2m3s'],
    [1500, '1.5s'],
  ])('formats %d as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('Inputs', () => {
  it('reads booleans only as true or false', () => {
    const { reader } = inputs({ a: 'true', b: 'false', c: 'yes', d: 'True' });
    expect(reader.boolean('a', false)).toBe(true);
    expect(reader.boolean('b', true)).toBe(false);
    expect(reader.boolean('missing', true)).toBe(true);
    expect(errorOf(() => reader.boolean('c', true))).toBe(`input 'c' must be true or false; got "yes"`);
    expect(errorOf(() => reader.boolean('d', true))).toContain(`input 'd' must be true or false`);
  });

  it('reads integers within bounds', () => {
    const { reader } = inputs({ n: '12', neg: '-1', frac: '1.5', big: '99999999999999999999', word: 'ten' });
    expect(reader.integer('n', { min: 1 })).toBe(12);
    expect(reader.integer('missing')).toBeUndefined();
    expect(errorOf(() => reader.integer('neg', { min: 0 }))).toBe(`input 'neg' must be a whole number of at least 0; got "-1"`);
    expect(errorOf(() => reader.integer('frac'))).toContain('must be a whole number');
    expect(errorOf(() => reader.integer('big'))).toContain('must be a whole number');
    expect(errorOf(() => reader.integer('n', { min: 1, max: 10 }))).toBe(
      `input 'n' must be a whole number from 1 to 10; got "12"`,
    );
    expect(errorOf(() => reader.integer('word'))).toContain(`got "ten"`);
  });

  it('reads durations and names the input on error', () => {
    const { reader } = inputs({ interval: 'abc', timeout: '1m30s', tiny: '0s' });
    expect(reader.duration('timeout')).toBe(90_000);
    expect(errorOf(() => reader.duration('interval'))).toBe(
      `input 'interval' must be a duration such as 90s, 5m, 1m30s, 500ms or plain seconds; got "abc"`,
    );
    expect(errorOf(() => reader.duration('tiny', { minMs: 1 }))).toBe(`input 'tiny' must be at least 1ms; got "0s"`);
  });

  it('splits lists on newlines and commas, and lines on newlines only', () => {
    const { reader } = inputs({ list: 'a, b\n c,,\r\n d\n', lines: 'x=1,2\n\ny=3' });
    expect(reader.list('list')).toEqual(['a', 'b', 'c', 'd']);
    expect(reader.lines('lines')).toEqual(['x=1,2', 'y=3']);
    expect(reader.list('missing')).toEqual([]);
  });

  it('reads key=value lists', () => {
    const { reader } = inputs({ kv: 'A=1\nB = two=2\nC=', bad: 'A=1\n=2', newline: 'X=a,b\nY=c' });
    expect(reader.keyValues('kv')).toEqual([
      ['A', '1'],
      ['B', 'two=2'],
      ['C', ''],
    ]);
    expect(reader.keyValues('newline', { newlineOnly: true })).toEqual([
      ['X', 'a,b'],
      ['Y', 'c'],
    ]);
    expect(errorOf(() => reader.keyValues('bad'))).toBe(`input 'bad' must be a list of key=value items; got "=2"`);
  });

  it('accepts only http and https URLs and masks URL user names and passwords', () => {
    const { reader, masked } = inputs({
      good: 'https://a.example/x, http://127.0.0.1:8080/health',
      ftp: 'ftp://x',
      junk: 'not a url',
      cred: 'https://user:p%40ss@host/',
      badcred: 'ftp://user:hunter2@host/',
      badescape: 'https://host/a%zz',
    });
    expect(reader.urls('good').map(String)).toEqual(['https://a.example/x', 'http://127.0.0.1:8080/health']);
    expect(errorOf(() => reader.urls('ftp'))).toBe(`input 'ftp' must be an http:// or https:// URL; got "ftp://x"`);
    expect(errorOf(() => reader.url('junk'))).toContain('must be an http:// or https:// URL');
    reader.url('cred');
    expect(masked).toEqual(['user', 'user', 'p%40ss', 'p@ss']);
    expect(errorOf(() => reader.url('badescape'))).toBe(
      `input 'badescape' has a bad % escape (a % must be followed by two hex digits); got "https://host/a%zz"`,
    );
    expect(errorOf(() => reader.url('badcred'))).not.toContain('hunter2');
  });

  it('offers choices and requires required inputs', () => {
    const { reader } = inputs({ mode: 'push', other: 'pull' });
    expect(reader.choice('mode', ['push', 'pull-request'], 'push')).toBe('push');
    expect(reader.choice('missing', ['push', 'pull-request'], 'pull-request')).toBe('pull-request');
    expect(errorOf(() => reader.choice('other', ['push', 'pull-request'], 'push'))).toBe(
      `input 'other' must be one of push, pull-request; got "pull"`,
    );
    expect(errorOf(() => reader.required('missing'))).toBe(`input 'missing' is required`);
  });

  it('masks secrets as they are read', () => {
    const { reader, masked } = inputs({ token: ' abc123 ' });
    expect(reader.secret('token')).toBe('abc123');
    expect(reader.secret('missing')).toBeUndefined();
    expect(masked).toEqual(['abc123']);
  });

  it('applies defaults to empty values', () => {
    const { reader } = inputs({ interval: '  ' }, { interval: '5s' });
    expect(reader.duration('interval')).toBe(5000);
  });

  it('redacts userinfo in any text', () => {
    expect(redactUserinfo('see ftp://u:secret@h/x and https://tok@h2')).toBe('see ftp://***@h/x and https://***@h2');
  });
});
