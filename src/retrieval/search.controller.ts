import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth';
import { SearchRequestDto, SearchResponseDto } from './dto/search.dto';
import { RetrievalService } from './retrieval.service';

@ApiTags('search')
@ApiBearerAuth()
@Controller('api/search')
export class SearchController {
  constructor(private readonly retrieval: RetrievalService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Search the knowledge bases this key may read (hybrid, vector or lexical)' })
  @ApiOkResponse({ type: SearchResponseDto })
  search(@Auth() auth: AuthContext, @Body() body: SearchRequestDto): Promise<SearchResponseDto> {
    return this.retrieval.search(auth, body);
  }
}
