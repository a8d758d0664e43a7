/** Forgets a user in tables keyed by userId alone (profiles). */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { UserDataEraser } from '#domain/catalog/ports.ts';
import { documentClient } from './client.ts';

export class DynamoKeyEraser implements UserDataEraser {
  constructor(private readonly table: string) {}

  async eraseUser(userId: string): Promise<void> {
    await documentClient().send(new DeleteCommand({ TableName: this.table, Key: { userId } }));
  }
}
