export { startSmtpFake, type FakeMail, type SmtpFake, type SmtpFakeOptions } from './server';
