import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class OpenCaseDto {
  @ApiProperty({ example: 'kernel-deadline', description: 'the case type (a registered definition)' })
  @IsString()
  @Matches(/^[a-z][a-z0-9-]*$/, { message: 'type must be a case type such as mandatory-report' })
  type!: string;

  @ApiProperty({ example: { childId: 'c-0001' }, description: 'who the case is about' })
  @IsObject()
  subject!: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'what the opener knows, for the machine' })
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'the unit that answers for the case; default: your unit' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  ownerUnitId?: string;

  @ApiPropertyOptional({ description: 'the area the case lies in (inside your jurisdiction); default: your unit\'s area' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9-]+(\/[a-z0-9-]+)*$/, { message: 'jurisdictionPath must look like changbai/maluguo/village' })
  jurisdictionPath?: string;
}

export class SendEventDto {
  @ApiProperty({ example: 'ACCEPT' })
  @IsString()
  @Matches(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, { message: 'type must be an event name such as ACCEPT' })
  type!: string;

  @ApiPropertyOptional({ description: 'the event\'s fields' })
  @IsOptional()
  @IsObject()
  payload?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'the version you saw; 409 if the case has moved since' })
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}

const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ListCasesQuery {
  @IsOptional() @IsString() @MaxLength(100) type?: string;
  @IsOptional() @IsString() @MaxLength(200) state?: string;
  @IsOptional() @Transform(toBool) @IsBoolean({ message: 'overdue must be true or false' }) overdue?: boolean;
  @IsOptional() @Transform(({ value }) => Number(value)) @IsInt() @Min(1) @Max(100) limit?: number;
  @IsOptional() @Transform(({ value }) => Number(value)) @IsInt() @Min(0) offset?: number;
}

export class ListInboxQuery {
  @IsOptional() @Transform(toBool) @IsIn([true, false], { message: 'unacked must be true or false' }) unacked?: boolean;
  @IsOptional() @Transform(({ value }) => Number(value)) @IsInt() @Min(1) @Max(100) limit?: number;
  @IsOptional() @Transform(({ value }) => Number(value)) @IsInt() @Min(0) offset?: number;
}
