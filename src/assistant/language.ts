export type AnswerLanguage = 'zh' | 'en';

const HAN = /\p{Script=Han}/gu;
const LATIN = /[A-Za-z]/g;

/**
 * The language to answer in: Chinese as soon as Han characters are a fair share of the letters.
 * One Han character carries about as much as a short English word, hence the weight of 3, so a
 * Chinese question with a product code or an English term in it still counts as Chinese.
 */
export function detectLanguage(text: string): AnswerLanguage {
  const han = text.match(HAN)?.length ?? 0;
  const latin = text.match(LATIN)?.length ?? 0;
  return han > 0 && han * 3 >= latin * 0.5 ? 'zh' : 'en';
}

/** What the assistant says when the knowledge bases hold nothing relevant (never an invented answer). */
export const NO_EVIDENCE: Record<AnswerLanguage, string> = {
  zh: '在可用的知识库中没有找到与该问题相关的资料，无法回答。',
  en: 'I found nothing relevant to this question in the available knowledge bases, so I cannot answer it.',
};

/** The strict Q&A templates' refusal sentences (docs/prompts.md); an answer holding one is a refusal. */
export const TEMPLATE_REFUSALS = ['根据现有资料无法回答该问题。', 'The provided documents do not contain the answer.'];
