/**
 * Stop words dropped from lexical terms and embedding features. Kept short on purpose: function words
 * and question words that carry no topic, not content words that merely happen to be common, because
 * a question like "who acquired Instagram" must keep everything but the function words.
 */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the and or but if then else of to in on at by for with from into onto over under about as is are was were be been ' +
    'being am do does did doing have has had having i me my we our you your he him his she her it its they them their this ' +
    'that these those there here what which who whom whose when where why how all any both each few more most other some ' +
    'such no nor not only own same so than too very can will just should would could may might must shall s t don doesn ' +
    'didn isn aren wasn weren won wouldn shouldn couldn up down out off again further once also'
  ).split(' '),
);

export const CHINESE_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    '的 了 是 在 和 与 及 或 等 也 都 就 而 之 其 于 以 为 被 把 将 对 从 向 由 这 那 此 该 个 一个 有 有的 着 过 吗 呢 吧 啊 呀 么 ' +
    '什么 哪 哪些 哪个 哪里 哪儿 谁 几 多少 怎么 怎样 如何 为什么 是否 是不是 请问 请 我 你 他 她 它 我们 你们 他们 它们 ' +
    '自己 所 所以 因为 但 但是 并 并且 还 又 即 则 如果 虽然 因此 而且 以及 还是 不是 没有 得 地 着 之一'
  ).split(' '),
);

export function isStopWord(term: string): boolean {
  return ENGLISH_STOP_WORDS.has(term) || CHINESE_STOP_WORDS.has(term);
}
