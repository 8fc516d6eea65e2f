/**
 * The gRPC method behind each discovery method. Google names it in ErrorInfo metadata
 * (`google.people.v1.PeopleService.UpdateContact`); the discovery document does not carry
 * it, so it is listed here (from google/people/v1/*.proto). test/discovery.test.ts checks
 * that every discovery method has one.
 */
export const RPC_NAMES: Readonly<Record<string, string>> = {
  'people.contactGroups.batchGet': 'ContactGroupService.BatchGetContactGroups',
  'people.contactGroups.create': 'ContactGroupService.CreateContactGroup',
  'people.contactGroups.delete': 'ContactGroupService.DeleteContactGroup',
  'people.contactGroups.get': 'ContactGroupService.GetContactGroup',
  'people.contactGroups.list': 'ContactGroupService.ListContactGroups',
  'people.contactGroups.update': 'ContactGroupService.UpdateContactGroup',
  'people.contactGroups.members.modify': 'ContactGroupService.ModifyContactGroupMembers',
  'people.otherContacts.copyOtherContactToMyContactsGroup': 'OtherContactsService.CopyOtherContactToMyContactsGroup',
  'people.otherContacts.list': 'OtherContactsService.ListOtherContacts',
  'people.otherContacts.search': 'OtherContactsService.SearchOtherContacts',
  'people.people.batchCreateContacts': 'PeopleService.BatchCreateContacts',
  'people.people.batchDeleteContacts': 'PeopleService.BatchDeleteContacts',
  'people.people.batchUpdateContacts': 'PeopleService.BatchUpdateContacts',
  'people.people.createContact': 'PeopleService.CreateContact',
  'people.people.deleteContact': 'PeopleService.DeleteContact',
  'people.people.deleteContactPhoto': 'PeopleService.DeleteContactPhoto',
  'people.people.get': 'PeopleService.GetPerson',
  'people.people.getBatchGet': 'PeopleService.GetPeople',
  'people.people.listDirectoryPeople': 'PeopleService.ListDirectoryPeople',
  'people.people.searchContacts': 'PeopleService.SearchContacts',
  'people.people.searchDirectoryPeople': 'PeopleService.SearchDirectoryPeople',
  'people.people.updateContact': 'PeopleService.UpdateContact',
  'people.people.updateContactPhoto': 'PeopleService.UpdateContactPhoto',
  'people.people.connections.list': 'PeopleService.ListConnections'
}

export const SERVICE_NAME = 'people.googleapis.com'

export function rpcMethod (methodId: string): string {
  return 'google.people.v1.' + (RPC_NAMES[methodId] ?? methodId)
}
