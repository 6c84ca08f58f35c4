/*
 * screening.h
 *	  GUCs of the screening layer (section 5 of sanctions--1.0.sql): the
 *	  screening functions themselves are SQL; only their settings live in C.
 */
#ifndef SANCTIONS_SCREENING_H
#define SANCTIONS_SCREENING_H

extern void ScreeningDefineGUCs(void);

#endif							/* SANCTIONS_SCREENING_H */
