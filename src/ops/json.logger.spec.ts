import { JsonLogger } from './json.logger';

describe('JsonLogger', () => {
  it('writes one JSON object per line, with context, fields and level filtering', () => {
    const lines: string[] = [];
    const logger = new JsonLogger('info', (line) => lines.push(line));
    logger.log({ msg: 'job started', jobId: 'j1' }, 'Jobs');
    logger.debug('hidden at info', 'Jobs');
    logger.error('boom', 'Error: boom\n    at x', 'Http');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'info', context: 'Jobs', msg: 'job started', jobId: 'j1' });
    expect(JSON.parse(lines[1])).toMatchObject({ level: 'error', context: 'Http', msg: 'boom', stack: 'Error: boom\n    at x' });
    expect(new Date(JSON.parse(lines[0]).time).getTime()).not.toBeNaN();
  });
});
