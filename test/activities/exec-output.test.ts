import { LineSplitter, TailBuffer } from '../../activities/kubernetes/exec-output.js';

describe('TailBuffer', () => {
  it('keeps everything while under the limit', () => {
    const tail = new TailBuffer(16);
    tail.push(Buffer.from('hello '));
    tail.push(Buffer.from('world'));
    expect(tail.text()).toBe('hello world');
    expect(tail.truncated).toBe(false);
  });

  it('keeps only the last bytes of a long output and says it cut', () => {
    const tail = new TailBuffer(10);
    for (let i = 0; i < 100; i++) tail.push(Buffer.from(`line ${i}\n`));
    expect(tail.text()).toBe('8\nline 99\n');
    expect(Buffer.byteLength(tail.text())).toBeLessThanOrEqual(10);
    expect(tail.truncated).toBe(true);
    expect(tail.total).toBe(Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join('').length);
  });

  it('drops a character cut in half at the start of the tail', () => {
    const tail = new TailBuffer(5);
    tail.push(Buffer.from('aé€x')); // é is 2 bytes, € is 3: the last 5 bytes start inside é
    expect(tail.text()).toBe('€x');
  });
});

describe('LineSplitter', () => {
  it('splits chunks into lines across chunk boundaries and multi-byte characters', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l));
    const euro = Buffer.from('€');
    splitter.push(Buffer.concat([Buffer.from('one\ntw'), euro.subarray(0, 1)]));
    splitter.push(Buffer.concat([euro.subarray(1), Buffer.from('o\r\nthree')]));
    splitter.flush();
    expect(lines).toEqual(['one', 'tw€o', 'three']);
  });

  it('stops passing lines on after the limit, saying so once', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l), 3, 100);
    splitter.push(Buffer.from('a\nb\nc\nd\ne\n'));
    expect(lines).toEqual(['a', 'b', 'c', '[further output not logged after 3 lines]']);
  });
});
