import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Auth, type AuthContext } from '../auth';
import { AppError, NotFoundError } from '../common';
import { KnowledgeBasesService } from '../documents/knowledge-bases.service';
import { AssistantService } from './assistant.service';
import { ConversationsRepository } from './conversations.repository';
import { AskRequestDto, AskResponseDto } from './dto/ask.dto';
import { WriteRequestDto } from './dto/write.dto';
import { clientGone, openEventStream } from './sse';
import { WritingService } from './writing.service';

/** What a stream that already sent its 200 says when it fails after all. */
const streamError = (e: unknown) => ({ status: e instanceof AppError ? e.httpStatus : 500, message: e instanceof AppError ? e.message : 'the answer failed; see the server log' });

@ApiTags('assistant')
@ApiBearerAuth()
@Controller('api')
export class AssistantController {
  constructor(
    private readonly assistant: AssistantService,
    private readonly writing: WritingService,
    private readonly conversations: ConversationsRepository,
    private readonly knowledgeBases: KnowledgeBasesService,
  ) {}

  /** A named knowledge base that does not exist (or the key may not read) is a 404, not an empty answer. */
  private async checkKnowledgeBases(auth: AuthContext, ids: readonly string[] | undefined): Promise<void> {
    for (const id of ids ?? []) await this.knowledgeBases.get(auth, id);
  }

  @Post('ask')
  @ApiOperation({ summary: 'Ask the knowledge bases; the answer cites its chunks [n]. stream: SSE events meta, token..., done' })
  @ApiOkResponse({ type: AskResponseDto })
  async ask(@Auth() auth: AuthContext, @Body() dto: AskRequestDto, @Res() res: Response): Promise<void> {
    const signal = clientGone(res);
    // Everything with a status code (400, 404, 429) is decided before a stream starts.
    await this.checkKnowledgeBases(auth, dto.knowledgeBases);
    const prepared = await this.assistant.prepare(auth, dto, signal);
    if (!dto.stream) {
      try {
        res.status(200).json(await this.assistant.answer(prepared, signal));
      } catch (e) {
        // Nobody is left to answer: the generation was cancelled and nothing stored.
        if (!signal.aborted) throw e;
      }
      return;
    }
    const send = openEventStream(res);
    send('meta', { mode: prepared.mode, model: prepared.model ? `${prepared.model.name}@${prepared.model.version}` : null, standaloneQuestion: prepared.standaloneQuestion });
    try {
      const result = await this.assistant.answer(prepared, signal, (text) => send('token', { text }));
      send('done', result);
    } catch (e) {
      if (!signal.aborted) send('error', streamError(e));
    }
    res.end();
  }

  @Post('write/:task')
  @ApiOperation({ summary: 'Writing assistant: summarize, rewrite, expand, polish, continue, translate, outline, or a task an admin added' })
  async write(@Auth() auth: AuthContext, @Param('task') task: string, @Body() dto: WriteRequestDto, @Res() res: Response): Promise<void> {
    const signal = clientGone(res);
    await this.checkKnowledgeBases(auth, dto.knowledgeBases);
    const prepared = await this.writing.prepare(auth, task, dto, signal);
    if (!dto.stream) {
      res.status(200).json(await this.writing.write(prepared));
      return;
    }
    const send = openEventStream(res);
    send('meta', { task, template: prepared.template, model: prepared.model });
    try {
      send('done', await this.writing.write(prepared, (text) => send('token', { text })));
    } catch (e) {
      if (!signal.aborted) send('error', streamError(e));
    }
    res.end();
  }

  @Get('conversations')
  @ApiOperation({ summary: 'This key\'s conversations, newest first' })
  list(@Auth() auth: AuthContext) {
    return this.conversations.list(auth.keyId);
  }

  @Get('conversations/:id')
  async get(@Auth() auth: AuthContext, @Param('id', ParseUUIDPipe) id: string) {
    const conversation = await this.conversations.get(id, auth.keyId);
    if (!conversation) throw new NotFoundError(`conversation ${id} not found`);
    return { ...conversation, messages: await this.conversations.messages(id) };
  }

  @Delete('conversations/:id')
  @HttpCode(204)
  async remove(@Auth() auth: AuthContext, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    if (!(await this.conversations.delete(id, auth.keyId))) throw new NotFoundError(`conversation ${id} not found`);
  }
}
