import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';

const CODE = /^[a-z0-9][a-z0-9-]{0,63}$/;

export class ChildRefDto {
  @ApiProperty({ example: 'c-0001', description: 'the child\'s file number in the registry' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, { message: 'child.childId must be a registry file number' })
  childId!: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) name?: string;

  @ApiProperty({ example: 'maluguo', description: 'township code' })
  @Matches(CODE, { message: 'child.township must be a township code such as maluguo' })
  township!: string;

  @ApiPropertyOptional({ example: 'maluguo-village' })
  @IsOptional() @Matches(CODE, { message: 'child.village must be a unit code' }) village?: string;

  @ApiPropertyOptional({ example: 'maluguo-school' })
  @IsOptional() @Matches(CODE, { message: 'child.school must be a unit code' }) school?: string;
}

export class FileReportDto {
  @ApiProperty({ type: ChildRefDto })
  @IsObject({ message: 'child must be an object: {childId, township, village?, school?}' })
  @ValidateNested()
  @Type(() => ChildRefDto)
  child!: ChildRefDto;

  @ApiProperty({ example: ['ALONE_NO_GUARDIAN'], description: 'coded triggers of the policy (2016 opinion; the nine situations of 2020)' })
  @IsArray()
  @ArrayMinSize(1, { message: 'triggers must name at least one situation' })
  @ArrayMaxSize(20)
  @IsString({ each: true })
  triggers!: string[];

  @ApiProperty({ example: '孩子独自在家三天，父母在外务工联系不上' })
  @IsString()
  @MaxLength(4000)
  description!: string;
}
