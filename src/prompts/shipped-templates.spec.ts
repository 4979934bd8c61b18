import { parseTemplateSource } from './front-matter.parser';
import { CompiledTemplate } from './prompt.renderer';
import { readShippedTemplates, shippedPromptsDir } from './shipped-prompts.seeder';
import { trialRender } from './prompts.service';

const TASKS = ['qa', 'qa-strict', 'summarize', 'rewrite', 'expand', 'polish', 'continue', 'translate', 'outline', 'condense', 'qa-draft'];
const files = readShippedTemplates();
const byName = new Map(files.map((f) => [f.file.replace(/\.md$/, ''), parseTemplateSource(f.source, f.file)]));
const compiled = (name: string) => new CompiledTemplate(byName.get(name)!);

describe('shipped templates (prompts/)', () => {
  it('the folder is found from the source tree', () => {
    expect(shippedPromptsDir()).toMatch(/[\\/]prompts$/);
  });

  it('every task ships in Chinese and English, each file named after its template and renderable', () => {
    for (const task of TASKS) {
      for (const language of ['zh', 'en']) {
        const def = byName.get(`${task}.${language}`);
        expect(def).toMatchObject({ task, language, name: `${task}.${language}` });
        expect(() => trialRender(def!)).not.toThrow();
      }
    }
    expect(files).toHaveLength(TASKS.length * 2);
  });

  it('the writing tasks share the variables the writing API sends', () => {
    for (const task of ['summarize', 'rewrite', 'expand', 'continue', 'outline']) {
      for (const language of ['zh', 'en']) {
        const v = byName.get(`${task}.${language}`)!.variables;
        expect(v.text).toMatchObject({ type: 'string', required: true });
        expect(v.tone).toMatchObject({ type: 'enum', default: 'neutral' });
        expect(v.length).toMatchObject({ type: 'enum', values: ['short', 'medium', 'long'], default: 'medium' });
        expect(v.language).toMatchObject({ type: 'enum', values: ['auto', 'zh', 'en'], default: 'auto' });
        expect(v.context).toMatchObject({ type: 'chunks', required: false });
      }
    }
    expect(byName.get('translate.zh')!.variables.targetLanguage).toMatchObject({ type: 'string', required: true });
  });

  it('Q&A templates number the chunks, ask for [n] citations and for the question\'s language', () => {
    const chunks = [{ text: '员工每年享有 10 天带薪年假。', source: '人事制度.pdf', page: 3 }, { text: '年假可以顺延至次年第一季度。' }];
    const zh = compiled('qa.zh').render({ question: '年假有几天？', context: chunks });
    expect(zh.system).toContain('[1]');
    expect(zh.system).toContain('用提问者使用的语言作答');
    expect(zh.user).toContain('<chunk index="1">\n来源：人事制度.pdf，第 3 页\n员工每年享有 10 天带薪年假。\n</chunk>');
    expect(zh.user).toContain('<chunk index="2">\n年假可以顺延至次年第一季度。\n</chunk>');
    expect(zh.user).toContain('<question>\n年假有几天？\n</question>');
    const en = compiled('qa-strict.en').render({ question: 'How many days?', context: chunks, history: [{ role: 'user', content: 'Hi' }] });
    expect(en.system).toContain('The provided documents do not contain the answer.');
    expect(en.user).toContain('<history>\nUser: Hi\n</history>');
    expect(en.parameters.temperature).toBe(0);
  });

  it('writing templates turn tone, length and language into instructions', () => {
    const r = compiled('rewrite.zh').render({ text: '原文', tone: 'formal', length: 'short', language: 'en', instructions: '保留数字' });
    expect(r.user).toContain('请改写下面的文本：语气正式、严谨，篇幅更精炼，使用英文输出。\n\n补充要求：保留数字\n\n<text>\n原文\n</text>');
    const t = compiled('translate.en').render({ text: '你好', targetLanguage: 'English', glossary: '智库 = Zhiku' });
    expect(t.user).toContain('Translate the text below into English.');
    expect(t.user).toContain('<glossary>\n智库 = Zhiku\n</glossary>');
  });
});
