import { parseTemplateSource, serializeTemplate } from './front-matter.parser';
import { TemplateDefinitionError } from './prompts.errors';

const FILE = `---
name: faq.zh
description: 常见问题
task: qa
language: zh
variables:
  question: { type: string, required: true, maxLength: 100 }
  tone: { type: enum, values: [formal, casual], default: formal }
  n: { type: number, min: 1, max: 5, default: 3 }
  context: { type: chunks, default: [] }
parameters:
  temperature: 0.2
  maxTokens: 512
  topP: 0.9
  stop: ["</answer>"]
---
问：{{ question }}
`;

function problemsOf(source: string): string[] {
  try {
    parseTemplateSource(source);
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateDefinitionError);
    return (error as TemplateDefinitionError).problems;
  }
  throw new Error('expected the source to be refused');
}

describe('template front matter', () => {
  it('reads name, task, language, typed variables with defaults and generation parameters', () => {
    const def = parseTemplateSource(FILE);
    expect(def).toMatchObject({ name: 'faq.zh', description: '常见问题', task: 'qa', language: 'zh', body: '问：{{ question }}\n' });
    expect(def.variables.question).toEqual({ type: 'string', required: true, maxLength: 100 });
    expect(def.variables.tone).toEqual({ type: 'enum', required: false, values: ['formal', 'casual'], default: 'formal' });
    expect(def.variables.context).toEqual({ type: 'chunks', required: false, default: [] });
    expect(def.parameters).toEqual({ temperature: 0.2, maxTokens: 512, topP: 0.9, stop: ['</answer>'] });
  });

  it('accepts CRLF line ends and a byte order mark', () => {
    expect(parseTemplateSource('\uFEFF' + FILE.replace(/\n/g, '\r\n')).name).toBe('faq.zh');
  });

  it('lists every problem at once: unknown keys, bad types, defaults that do not fit, parameters out of range', () => {
    const problems = problemsOf(`---
name: Bad Name
task: qa
language: fr
colour: red
variables:
  q: { type: text }
  tone: { type: enum, values: [a, b], default: c }
  n: { type: number, default: "3", maxLength: 2 }
  r: { type: string, required: true, default: x }
parameters:
  temperature: 3
  top_p: 0.5
---
body
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('name must be lowercase'),
        expect.stringContaining('language must be one of zh, en'),
        'unknown front matter key "colour"',
        expect.stringContaining('variable "q": type must be one of'),
        expect.stringContaining('variable "tone": default must be one of a, b'),
        expect.stringContaining('variable "n": maxLength is only for string variables'),
        expect.stringContaining('variable "n": default must be a number'),
        expect.stringContaining('variable "r": a required variable has no default'),
        'parameter temperature must be a number from 0 to 2',
        expect.stringContaining('unknown parameter "top_p"'),
      ]),
    );
  });

  it('refuses a file without front matter, broken YAML and an empty body', () => {
    expect(problemsOf('hello {{ x }}')).toEqual([expect.stringContaining('front matter')]);
    expect(problemsOf('---\nname: [unclosed\n---\nbody')).toEqual([expect.stringContaining('not valid YAML')]);
    expect(problemsOf('---\nname: a\ntask: qa\nlanguage: en\n---\n  \n')).toEqual([expect.stringContaining('body')]);
  });

  it('YAML tags that would build objects are not honoured (core schema only)', () => {
    expect(problemsOf('---\nname: !!js/function "function () {}"\ntask: qa\nlanguage: en\n---\nx')).toEqual([expect.stringContaining('not valid YAML')]);
  });

  it('serialises a definition back to a file that parses to the same definition', () => {
    const def = parseTemplateSource(FILE);
    const again = parseTemplateSource(serializeTemplate(def));
    expect(again).toEqual(def);
  });
});
