/** The assistant's entry: Q&A with verified citations, the writing assistant, the extractive answerer. */
export { AssistantModule } from './assistant.module';
export { AssistantService, type PreparedAsk } from './assistant.service';
export { WritingService, type PreparedWrite } from './writing.service';
export { NoModelError } from './assistant.errors';
export { extractAnswer, questionKind, termCoverage, type EvidenceChunk, type ExtractiveAnswer } from './extractive-answerer';
export { verifyCitations, type VerifiedAnswer } from './citation-verifier';
export { splitSentences } from './sentences';
export { detectLanguage, NO_EVIDENCE, TEMPLATE_REFUSALS, type AnswerLanguage } from './language';
export { ANSWER_MODES, type AnswerMode, type AskRequestDto, type AskResponseDto, type CitationDto } from './dto/ask.dto';
export type { WriteRequestDto, WriteResponseDto } from './dto/write.dto';
