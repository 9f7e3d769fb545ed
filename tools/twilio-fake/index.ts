export { startTwilioFake, type ReceivedRequest, type TwilioFake, type TwilioFakeFault, type TwilioFakeOptions } from './server';
export { signTwilioRequest } from './signature';
export { MAGIC_FROM_NUMBER, MAGIC_TO_NUMBERS, type TwilioErrorBody } from './errors';
