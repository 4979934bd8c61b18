import { Body, Controller, Get, HttpCode, Post, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ChatCompletionRequestDto, EmbeddingsRequestDto } from './dto/chat-completion.dto';
import { EmbeddingsService } from './embeddings.service';
import { OpenAiErrorFilter } from './openai-error.filter';
import { OpenAiService } from './openai.service';

/** An AbortSignal that fires when the client goes away before the answer is complete. */
function clientGone(res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** The OpenAI-compatible API: any key (viewer up) may call it. Errors in OpenAI's shape. */
@ApiTags('openai-compatible')
@ApiBearerAuth()
@UseFilters(OpenAiErrorFilter)
@Controller('v1')
export class OpenAiController {
  constructor(
    private readonly openai: OpenAiService,
    private readonly embeddings: EmbeddingsService,
  ) {}

  @Get('models')
  models() {
    return this.openai.listModels();
  }

  @Post('chat/completions')
  async chatCompletions(@Body() dto: ChatCompletionRequestDto, @Res() res: Response): Promise<void> {
    const signal = clientGone(res);
    if (!dto.stream) {
      res.status(200).json(await this.openai.complete(dto, signal));
      return;
    }
    // Everything that has a status code (404, 400, 429) is decided before the stream starts.
    const session = await this.openai.start(dto, signal);
    res.status(200);
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('x-accel-buffering', 'no');
    res.flushHeaders();
    await this.openai.stream(session, dto.stream_options?.include_usage === true, (event) => res.write(event));
    res.end();
  }

  @Post('embeddings')
  @HttpCode(200)
  embed(@Body() dto: EmbeddingsRequestDto) {
    return this.embeddings.embed(dto.model, dto.input, dto.encoding_format);
  }
}
