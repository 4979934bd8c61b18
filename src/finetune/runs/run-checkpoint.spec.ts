import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CHECKPOINT_FILE, CheckpointWriteError, loadCheckpoint, saveCheckpoint, type TrainingState } from './run-checkpoint';

const state = (step: number): TrainingState => ({
  step,
  values: new Map([['lora.layers.0.self_attn.q_proj.A', Float32Array.of(1.5, -2, step)], ['lora.layers.0.self_attn.q_proj.B', Float32Array.of(0.25)]]),
  optimizer: { step, m: new Map([['lora.layers.0.self_attn.q_proj.A', Float64Array.of(1e-9, 2, 3)]]), v: new Map([['lora.layers.0.self_attn.q_proj.A', Float64Array.of(1 / 3, 5, 6)]]) },
  bestValLoss: 1.25,
  bestStep: step - 1,
  badEvals: 2,
  best: new Map([['lora.layers.0.self_attn.q_proj.B', Float32Array.of(7)]]),
});

describe('run checkpoints', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-ckpt-'))));
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips values, float64 moments, step counts and the best values exactly', () => {
    expect(loadCheckpoint(dir)).toBeNull();
    saveCheckpoint(dir, state(4));
    const back = loadCheckpoint(dir)!;
    expect(back.step).toBe(4);
    expect(back.optimizer.step).toBe(4);
    expect(Array.from(back.values.get('lora.layers.0.self_attn.q_proj.A')!)).toEqual([1.5, -2, 4]);
    expect(Array.from(back.optimizer.m.get('lora.layers.0.self_attn.q_proj.A')!)).toEqual([1e-9, 2, 3]);
    expect(Array.from(back.optimizer.v.get('lora.layers.0.self_attn.q_proj.A')!)).toEqual([1 / 3, 5, 6]);
    expect(back).toMatchObject({ bestValLoss: 1.25, bestStep: 3, badEvals: 2 });
    expect(Array.from(back.best!.get('lora.layers.0.self_attn.q_proj.B')!)).toEqual([7]);
  });

  it('a disk that fills while writing leaves the last good checkpoint and no temporary file', () => {
    saveCheckpoint(dir, state(2));
    const good = fs.readFileSync(path.join(dir, CHECKPOINT_FILE));
    let calls = 0;
    const fillsUp = (fd: number, buffer: Uint8Array, offset: number, length: number) => {
      if (++calls === 3) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return fs.writeSync(fd, buffer, offset, length);
    };
    expect(() => saveCheckpoint(dir, state(4), fillsUp)).toThrow(CheckpointWriteError);
    expect(calls).toBe(3);
    expect(fs.readFileSync(path.join(dir, CHECKPOINT_FILE)).equals(good)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual([CHECKPOINT_FILE]);
    expect(loadCheckpoint(dir)!.step).toBe(2);
    expect(() => saveCheckpoint(dir, state(6), () => { throw new Error('ENOSPC: no space left on device, write'); })).toThrow(/step 6.*ENOSPC.*the previous checkpoint is intact/);
    saveCheckpoint(dir, state(8));
    expect(loadCheckpoint(dir)!.step).toBe(8);
  });

  it('refuses a file that is not a checkpoint, saying how to recover', () => {
    fs.writeFileSync(path.join(dir, CHECKPOINT_FILE), 'not a checkpoint');
    expect(() => loadCheckpoint(dir)).toThrow(/remove it to train this run from the start/);
  });
});
