/**
 * CJK Radicals Supplement (U+2E80–U+2EF3) → the unified ideograph each radical stands for, from
 * Unicode's EquivalentUnifiedIdeograph.txt (each row checked against the radical's character name).
 * NFKC leaves this block alone (only the Kangxi Radicals block has compatibility mappings), yet
 * fonts exported by XMind/Skia and some CID fonts map simplified glyphs such as 见 长 骨 to ⻅ ⻓ ⻣,
 * so a search for 见 would miss them. Radicals not listed (their ideograph lies outside the BMP, or
 * the row could not be checked) are kept as they are.
 */
const PAIRS = '⺁厂⺂乛⺃乚⺄乙⺅亻⺆冂⺉刂⺊卜⺋㔾⺌小⺍小⺎兀⺏尣⺐尢⺒巳⺓幺⺔彑⺕彐⺖忄⺗心⺘扌⺙攵⺛旡⺟母⺠民⺡氵⺢氺⺣灬⺤爫⺦丬⺧牛⺨犭⺩王⺪疋⺫目⺬示⺭礻⺮竹⺯糸⺰纟⺲罒⺳罓⺶羊⺹耂⺺肀⺻聿⺼肉⺽臼⺾艹⺿艹⻀艹⻁虎⻂衤⻃覀⻄西⻅见⻆角⻈讠⻉贝⻋车⻌辶⻍辶⻏阝⻐钅⻑長⻒镸⻓长⻔门⻖阝⻗雨⻘青⻙韦⻚页⻛风⻜飞⻝食⻟飠⻠饣⻢马⻣骨⻤鬼⻥鱼⻦鸟⻧卤⻨麦⻩黄⻪黾⻫斉⻬齐⻭歯⻮齿⻯竜⻰龙⻱龜⻲亀⻳龟';

const RADICALS = new Map<string, string>();
for (let i = 0; i < PAIRS.length; i += 2) RADICALS.set(PAIRS[i], PAIRS[i + 1]);

const RADICAL_RE = /[\u2e80-\u2eff]/g;

/** Replaces CJK supplement radicals with their unified ideographs; other characters are kept. */
export function unifyCjkRadicals(text: string): string {
  return text.replace(RADICAL_RE, (ch) => RADICALS.get(ch) ?? ch);
}
