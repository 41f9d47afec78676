/** `operator` (ADMIN_TOKEN) may act; `viewer` (ADMIN_VIEWER_TOKEN) sees everything and changes nothing. */
export type AdminRole = 'operator' | 'viewer';

/** Who is calling, as the guards established it: the role is the token's name, `user` the name given. */
export interface AdminIdentity {
  role: AdminRole;
  user: string;
}
