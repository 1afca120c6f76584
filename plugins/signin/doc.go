// Package signin guards the sign-in routes of both auth collections (staff
// and customers: auth-with-password and auth-with-otp).
//
// Failed sign-ins are counted per account and per client address in the
// database, so a restart does not forget them. An account (an email, known or
// not: both answer alike) with AccountLimit failures in the last hour is
// refused with 429 whatever the address, the right password too, until the
// oldest failure is an hour old; a success resets nothing. When the rate
// limiter is on, an address with AddressLimit failures in the last ten
// minutes is refused the same way; addresses that sign in successfully are
// never held back by their successes.
//
// A failure is PocketBase's own refusal of the credentials ("Failed to
// authenticate." or "Invalid or expired OTP."); malformed requests, refusals
// by a rate limit and sign-ins that succeed are not counted.
//
// A code asked for an email that has no account gets a made-up otpId that the
// server remembers, and a code tried against it is answered exactly as a
// wrong code for a real account: the same hash comparison at the same cost,
// the same answer, and PocketBase's limit of five tries per account and
// address in three minutes, then "Too many attempts". After ten live codes
// for one email the newest id is given again, as PocketBase does.
package signin
