/** DynamoDB adapter of the PlayableItems port: sets `playable: true` on an existing catalog item. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#adapters/dynamodb/client.ts';
import { availabilityOf } from '#adapters/models/catalog-indexes.ts';
import type { PlayableItems } from '#domain/media/ports.ts';

export class DynamoPlayableItems implements PlayableItems {
  constructor(private readonly table: string) {}

  async markPlayable(itemId: string): Promise<boolean> {
    try {
      await documentClient().send(
        new UpdateCommand({
          TableName: this.table,
          Key: { itemId },
          // `availability` keys the recommender's playable-items index and always follows `playable`.
          UpdateExpression: 'SET playable = :true, availability = :playable, updatedAt = :now',
          ConditionExpression: 'attribute_exists(itemId)',
          ExpressionAttributeValues: {
            ':true': true,
            ':playable': availabilityOf(true),
            ':now': new Date().toISOString(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
