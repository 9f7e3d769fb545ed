// Shared with the server, which names each device in GET /api/auth/sessions the same way.
export { describeUserAgent } from '../../common/user-agent';
