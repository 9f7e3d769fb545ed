/**
 * The action names SMS usage events are stored under. Owned here, with the usage trail, so the
 * control plane can list them without importing the alerts capability that writes them.
 */
export const SMS_TEST_ACTION = 'sms.test';
export const SMS_ALERT_ACTION = 'sms.alert';
